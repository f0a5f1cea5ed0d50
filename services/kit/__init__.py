"""The service kit: everything the four services share (config, logging, database pool and
migrations, outbox and relay, Kafka consumer loop, CloudEvents, gRPC bootstrap, auth context,
error taxonomy, metrics). Services import from here; nothing here imports a service."""
