"""Deterministic 平凉市 demo data: `generator` makes the records (pure), `__main__` loads them
(`python -m services.datacenter.seed --scale N`). See docs/seed.md."""
