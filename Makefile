# Everyday tasks: thin wrappers over docker compose, npm and Nx. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Compose v2 plugin when present, else the standalone docker-compose.
COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
# The compose stack's PostgreSQL (published on 127.0.0.1:5432; credentials are dev-only).
OMS_POSTGRES_DSN ?= postgres://oms:oms-dev-only@127.0.0.1:5432/oms
API_URL ?= http://127.0.0.1:8080
MIGRATE_ARGS ?= up
FIXTURE_ARGS ?=

export NX_DAEMON := false

.PHONY: help up up-observability down clean ps logs migrate migrate-compose fixtures test lint build bench start deploy-check

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

up: ## Start the full stack (PostgreSQL, Kafka, migrator, apps, partner mocks)
	$(COMPOSE) up -d --build

up-observability: ## The full stack plus OTel collector, Jaeger, Prometheus, Grafana
	OTEL_TRACES_EXPORTER=otlp $(COMPOSE) --profile observability up -d --build

down: ## Stop the stack (data volumes are kept)
	$(COMPOSE) --profile observability down --remove-orphans

clean: ## Stop the stack and delete its volumes
	$(COMPOSE) --profile observability down --remove-orphans --volumes

ps: ## Containers and their health
	$(COMPOSE) --profile observability ps

logs: ## Follow the apps' logs
	$(COMPOSE) logs -f --tail=100 migrator order-api outbox-relay saga-orchestrator partner-mocks

migrate: ## Run the migrator from this checkout: make migrate MIGRATE_ARGS="status|up|down --steps 1"
	npx nx build migrator
	OMS_STORAGE_DRIVER=postgres OMS_POSTGRES_DSN='$(OMS_POSTGRES_DSN)' node dist/apps/migrator $(MIGRATE_ARGS)

migrate-compose: ## Run the migrator image against the compose database
	$(COMPOSE) run --rm migrator $(MIGRATE_ARGS)

fixtures: ## Load orders of many customers in every status through the REST API (API_URL)
	node tools/dev/fixtures.mjs --url '$(API_URL)' $(FIXTURE_ARGS)

test: ## Unit, contract and integration tests (npm test)
	npm test

lint: ## Lint every project
	npm run lint

build: ## Build every app (dist/apps/<app>)
	npm run build

bench: ## Benchmarks (npm run bench; writes docs/benchmarks.md)
	npm run bench

start: ## One process with embedded drivers (npm start)
	npm start

deploy-check: ## Check the chart with Helm 3 and 4 (lint, template, Kubernetes schemas, policies), compose, workflows
	bash tools/deploy-check/run.sh static
