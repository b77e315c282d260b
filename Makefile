# CodePipeline Lab — every target sets itself up first, so a fresh clone needs only `make lab` or `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab refuses to run as root (containers, CI boxes) unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: setup lab test notebooks book serve-book student bench clean

setup: $(STAMP)
	@sh scripts/ensure-graphviz.sh

$(STAMP): pyproject.toml
	@sh scripts/check-python.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@sh scripts/install-aws-cli.sh $(BIN)/python
	@touch $(STAMP)

lab: setup
	$(BIN)/jupyter trust notebooks/*.ipynb
	$(BIN)/jupyter lab $(ROOT_FLAG) --notebook-dir=notebooks $(firstword $(wildcard notebooks/00-*.ipynb))

test: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval --nbval-sanitize-with tests/nbval-sanitize.cfg tests notebooks

bench: setup
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_build_shell.py
	$(BIN)/python benchmarks/bench_test_stack_release.py

clean:
	rm -rf $(VENV) book/_build .pytest_cache

notebooks: setup
	$(BIN)/python scripts/execute_notebooks.py

book: setup
	$(BIN)/python scripts/build_book.py

serve-book: book
	@echo "Serving the book on http://localhost:8000/ (Ctrl+C to stop)"
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory book/_build/html

student: setup
	$(BIN)/python scripts/make_student.py student
