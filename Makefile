# Socle: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)

.PHONY: setup run test lint format schema redis-server

$(UV):
	python3 -m pip install --user --quiet uv || python3 -m pip install --quiet uv

setup: $(UV)
	$(UV) sync --frozen --quiet

run: setup
	$(UV) run socle migrate
	$(UV) run socle demo
	$(UV) run socle serve

redis-server:
	@command -v redis-server >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

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

test: setup redis-server lint
	$(UV) run pytest
