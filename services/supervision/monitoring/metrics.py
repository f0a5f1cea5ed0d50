"""Metrics of the monitoring evaluator (its own module: the evaluator also runs as __main__)."""
from prometheus_client import Counter, Histogram

READINGS = Counter("monitoring_readings_total", "Readings taken from Kafka by the evaluator", ["outcome"])
BATCH_SECONDS = Histogram("monitoring_batch_seconds", "Time to store and evaluate one batch",
                          buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
ALARMS = Counter("monitoring_alarm_changes_total", "Alarm state changes written by the evaluator", ["action"])
