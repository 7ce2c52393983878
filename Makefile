# Everyday entry points. The scripts under infra/ do the work; see their headers.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv/bin
PYTEST_ARGS ?=

.PHONY: help bootstrap test lint run kafka-fetch kafka-start kafka-stop cluster-start cluster-stop \
	mariadb-start mariadb-stop status clean

help:
	@echo "make test | lint | run | kafka-start | kafka-stop | cluster-start | cluster-stop |"
	@echo "     mariadb-start | mariadb-stop | status | clean (removes var/ data only) |"
	@echo "     bench | faults | load | config-check ENV=staging | lock | audit"

bootstrap:
	@infra/bootstrap.sh

lint: bootstrap
	$(VENV)/ruff check .
	$(VENV)/lint-imports

# Real tools the operations tests run (Prometheus, Consul, Jaeger): each script installs or builds
# its tool once, into a cache outside the checkout ($$HOME/.cache/sqllint/tools), and is a no-op after.
.PHONY: tools
tools:
	@for script in infra/tools/*.sh; do if [[ -x "$$script" ]]; then "$$script"; fi; done

# Known vulnerabilities of every locked dependency (infra/audit.sh, docs/security.md): an advisory not
# accepted in .pip-audit-ignore fails. `make audit` also fails when the vulnerability service answered
# for no pin; `make test` only warns then (AUDIT_UNREACHABLE=warn), so an offline run still tests.
.PHONY: audit
AUDIT_UNREACHABLE ?= fail
audit: bootstrap
	AUDIT_UNREACHABLE=$(AUDIT_UNREACHABLE) infra/audit.sh

# Whole suite; the fixtures in tests/conftest.py start the broker and database they need.
# Coverage (line and branch, pyproject's [tool.coverage]) includes the services the tests start
# as subprocesses; under 80% fails. pytest exits 5 when it collected no test: any non-zero exit
# fails this target. The 25 slowest tests are listed at the end: CI's time budget is watched there.
test: lint tools
	@$(MAKE) --no-print-directory audit AUDIT_UNREACHABLE=warn
	@mkdir -p var/coverage && rm -f var/coverage/.coverage*
	$(VENV)/pytest --cov --cov-report=term --cov-report=html:var/coverage/html --durations=25 $(PYTEST_ARGS)

# For development: authentication is off unless the caller set AUTH_REQUIRED (`AUTH_REQUIRED=true
# make run` to try keys); the run and the ingest say so loudly at start (docs/security.md).
run: bootstrap kafka-start
	AUTH_REQUIRED="$${AUTH_REQUIRED:-false}" infra/run_stack.sh

kafka-fetch:
	infra/kafka/kafka.sh fetch

kafka-start: bootstrap
	infra/kafka/kafka.sh start

kafka-stop:
	infra/kafka/kafka.sh stop

cluster-start: bootstrap
	infra/kafka/kafka.sh start --cluster

cluster-stop:
	infra/kafka/kafka.sh stop --cluster

mariadb-start: bootstrap
	infra/mariadb.sh ensure

mariadb-stop:
	infra/mariadb.sh stop

status:
	-infra/kafka/kafka.sh status
	-infra/mariadb.sh status

# Stops what runs from var/ first, so no process keeps writing into deleted files.
clean:
	-infra/kafka/kafka.sh stop --cluster
	-infra/kafka/kafka.sh stop
	-infra/mariadb.sh stop
	rm -rf var/

# Fault scenarios by name (docs/reliability.md), e.g. make faults SCENARIOS="kill-worker hostile"
SCENARIOS ?= all
.PHONY: faults
faults: bootstrap
	infra/faults.sh $(SCENARIOS)

# Benchmarks (docs/performance.md): private topics and database per run, figures as a table.
# e.g. make bench BENCH_ARGS="throughput resubmit --repeats 5 --json var/bench/out.json"
BENCH_ARGS ?=
.PHONY: bench
bench: bootstrap kafka-start
	$(VENV)/python -m pip install -q --disable-pip-version-check "py-spy>=0.4.3"  # the bench extra alone: the rest comes from the hashed locks
	$(VENV)/python -m bench $(BENCH_ARGS)

# Deployment (docs/deployment.md). An environment's settings checked against the services'
# settings classes, e.g. make config-check ENV=production (secrets come from the environment).
ENV ?= dev
.PHONY: config-check lock load
config-check: bootstrap
	$(VENV)/python -m deploy config check $(ENV)

# The image's dependency locks (hashes), regenerated from pyproject.toml: after any change to its
# dependencies. LOCK_ARGS=--upgrade moves every pin to the newest allowed; --check only compares.
LOCK_ARGS ?=
lock: bootstrap
	infra/docker/lock.sh $(LOCK_ARGS)

# One Locust scenario, headless, for a bounded time, against a running stack (`make run`);
# reports under var/load/. e.g. make load LOAD_ARGS="spike --host http://127.0.0.1:8080"
LOAD_ARGS ?= smoke
load: bootstrap
	$(VENV)/python -m bench.load $(LOAD_ARGS)
