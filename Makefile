# The three commands of the README. Each goes through the one bootstrap script first.
SHELL := /bin/bash
VENV := .venv/bin
.PHONY: bootstrap demo test bench unit wire faults e2e clean

bootstrap:
	@bash deploy/bootstrap.sh

demo: bootstrap
	@$(VENV)/kiosk --demo

# Every tier; pytest's own exit code decides (5, "no tests", fails: see .ci/run).
test: bootstrap
	@bash tests/run-tiers.sh

bench: bootstrap
	@$(VENV)/python -m pytest tests/bench -m bench -s -q -p no:cacheprovider

unit wire faults e2e: bootstrap
	@$(VENV)/python -m pytest tests/$@ -q

clean:
	rm -rf .venv build *.egg-info .pytest_cache
