# Sourced by run-demo.sh and test.sh: make .venv (once) and install the project into it.
# Usage: . scripts/_venv.sh [extras]   e.g. ". scripts/_venv.sh test" installs ".[test]".
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".${1:+[$1]}"
