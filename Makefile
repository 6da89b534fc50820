# Everyday commands. The README's two commands are all a new machine needs; these are for working on narrate.
PYTHON ?= python

.PHONY: test fast lint format bench
test:            ## the whole suite, as CI runs it
	$(PYTHON) -m pytest
fast:            ## unit tests only: no real speech
	$(PYTHON) -m pytest -m "not e2e"
lint:
	ruff check . && ruff format --check .
format:
	ruff format . && ruff check --fix .
bench:           ## speed and memory against baselines measured in the same run
	$(PYTHON) bench/run.py
	$(PYTHON) bench/bench_segment.py
	$(PYTHON) bench/eval_speakers.py
