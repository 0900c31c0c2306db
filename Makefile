# Socle: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)

.PHONY: setup run test lint format schema redis-server chromium npm wrk postgraphile bench screenshots
GRAPHIQL := app/graphiql/assets

$(UV):
	python3 -m pip install --user --quiet uv || python3 -m pip install --quiet uv

setup: $(UV) $(GRAPHIQL)/node_modules/.package-lock.json
	$(UV) sync --frozen --quiet

npm:
	@command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }

# GraphiQL's files, served by Socle itself; reinstalled when the lock changes.
# The explorer's own graphiql-explorer asks for React 16 as a peer; its build
# runs on React 18 (as on Strawberry's page), so npm's peer warnings are muted.
$(GRAPHIQL)/node_modules/.package-lock.json: $(GRAPHIQL)/package-lock.json | npm
	npm ci --prefix $(GRAPHIQL) --ignore-scripts --no-audit --no-fund --loglevel=error

chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: setup
	$(UV) run socle migrate
	$(UV) run socle demo
	$(UV) run socle serve

redis-server:
	@command -v redis-server >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# PostGraphile and its Node.js for the benchmark, reinstalled when its lock changes.
postgraphile: setup npm
	$(UV) run python -c 'from infra.bench.postgraphile import install; install()'

# The benchmark of issue 10: its own database under var/bench, docs/benchmarks.md.
bench: setup wrk redis-server postgraphile
	$(UV) run python -m infra.bench $(BENCH_ARGS)

lint: setup
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run lint-imports

format: setup
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

schema: setup
	$(UV) run socle schema export

test: setup redis-server chromium wrk postgraphile lint
	$(UV) run pytest

# The pages' screenshots shown in the README, taken by the browser tests.
screenshots: setup chromium
	SOCLE_SCREENSHOTS=docs/screenshots $(UV) run pytest -q -p no:cacheprovider tests/web
