#!/bin/sh
# Refuse early, with a message, when the Python that builds the virtual environment is too old.
PY=${1:-python3}
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "CodePipeline Lab needs Python 3.11 or newer, and '$PY' was not found." >&2
  echo "Install it (python.org, 'apt-get install python3', 'brew install python') or run: make PYTHON=/path/to/python3.11 ..." >&2
  exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "CodePipeline Lab needs Python 3.11 or newer; '$PY' is $("$PY" --version 2>&1)." >&2
  echo "Run: make PYTHON=/path/to/python3.11 ..." >&2
  exit 1
fi
