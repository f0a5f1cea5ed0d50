# One machine, real components. `make up` installs what is missing and starts everything with
# demo data; `make test` runs every test against the running platform (starting it if needed).
SHELL := /bin/bash
PY    := .venv/bin/python
CTL   := $(PY) -m infra.platformctl
# The test instance: its own PostgreSQL, Kafka, realm and ports beside the demo one (docs/test-instance.md).
TEST_CTL := SAFETY_INSTANCE=test $(PY) -m infra.platformctl
PROTO := $(shell find proto/safety -name '*.proto')

.PHONY: up down status test test-up test-unit test-integration test-browser install proto web bench clean-data logs seed
WEB_SRC := $(shell find web/src web/*/index.html web/index.html -type f 2>/dev/null) web/package-lock.json web/vite.config.ts web/tsconfig.json

up: install proto web
	@$(CTL) up

down:
	@if [ -x $(PY) ]; then $(TEST_CTL) down; $(CTL) down; fi

status:
	@echo "demo instance (make up):"; $(CTL) status; rc=$$?; \
	 if [ -d .var/test/run ]; then echo "test instance (make test):"; $(TEST_CTL) status || true; fi; exit $$rc

install:
	@bash infra/install.sh

# Generated code is never committed or edited; it is rebuilt whenever a .proto is newer.
proto: proto/gen/.stamp
proto/gen/.stamp: $(PROTO) requirements.txt | install
	@rm -rf proto/gen && mkdir -p proto/gen
	@$(PY) -m grpc_tools.protoc -I proto --python_out=proto/gen --pyi_out=proto/gen --grpc_python_out=proto/gen $(PROTO)
	@touch $@
	@echo "[proto] generated $(words $(PROTO)) files into proto/gen"

# The web front ends, built from the npm registry into web/dist (served by the gateway under /app/).
web: web/dist/.stamp
web/dist/.stamp: $(WEB_SRC) | install
	@cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent
	@touch $@
	@echo "[web] built web/dist"

# Tests never touch the demo instance: they run against the test instance, started beside it.
test: test-up
	@$(PY) -m pytest

test-up: up
	@$(TEST_CTL) up

test-unit: install proto
	@$(PY) -m pytest tests/unit

test-integration: test-up
	@$(PY) -m pytest tests/integration

test-browser: test-up
	@$(PY) -m pytest tests/browser

# More demo data: SCALE enterprises and the other databases in proportion (docs/seed.md). Adds the
# data set of (SCALE, SEED) unless it is already there.
SCALE ?= 200
SEED  ?= 2026
seed: up
	@$(PY) -m services.datacenter.seed --scale $(SCALE) --seed $(SEED)

bench: test-up
	@$(PY) -m bench.gateway_reads
	@SAFETY_INSTANCE=test $(PY) -m bench.live_updates   # it writes hazards: into the test instance, not the demo data
	@SAFETY_INSTANCE=test $(PY) -m bench.submit_enterprises   # it changes an enterprise: the test instance again
	@SAFETY_INSTANCE=test $(PY) -m bench.monitoring   # it posts readings and raises alarms: the test instance too
	@$(PY) -m bench.datacenter
	@$(PY) -m bench.plan   # pure Python: classes and the 双随机 plan of 20,000 enterprises
	@SAFETY_INSTANCE=test $(PY) -m bench.docnumbers   # it issues serials: the test instance
	@SAFETY_INSTANCE=test $(PY) -m bench.resources   # nearest emergency resources over 10,000 copies: the test instance
	@$(PY) -m bench.summary   # the closing table: every figure beside its ceiling from this run

logs:
	@tail -n 20 .var/log/*.log

# Deletes every database, topic and realm: the next `make up` starts from nothing.
clean-data: down
	rm -rf .var/data .var/run .var/log .var/test
