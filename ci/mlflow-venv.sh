#!/usr/bin/env bash
# Creates .venv (git-ignored) at the repository root with the pinned MLflow of ci/mlflow-requirements.txt.
# Idempotent: when .venv already holds exactly that pin (a stamp holds the hash of the requirement and
# constraint files), it returns at once. bin/test calls it before Maven so a fresh clone has `mlflow`
# for the tracking integration tests; `bin/flowbench ui` uses the same .venv.
#   PYTHON=python3.11 ci/mlflow-venv.sh     # choose the interpreter (default: python3, needs >= 3.10)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
req="$root/ci/mlflow-requirements.txt"
lock="$root/ci/mlflow-constraints.txt"
stamp="$venv/.flowbench-mlflow-stamp"
want="$(cat "$req" "$lock" | sha256sum | cut -c1-16)"

if [ -x "$venv/bin/mlflow" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "mlflow-venv: '$python' not found; install Python >= 3.10 (or set PYTHON=...)" >&2
  exit 1
fi
minor="$("$python" -c 'import sys; print(sys.version_info[0] * 100 + sys.version_info[1])')"
if [ "$minor" -lt 310 ]; then
  echo "mlflow-venv: $("$python" --version 2>&1) is too old; MLflow 3 needs Python >= 3.10 (set PYTHON=...)" >&2
  exit 1
fi

echo "mlflow-venv: installing $(grep -v '^#' "$req" | xargs) into $venv ..." >&2
start=$(date +%s)
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req")
# The lock was made on Python 3.11 (numpy/pandas/scipy there need >= 3.11); on 3.10 only mlflow is pinned.
if [ "$minor" -ge 311 ]; then
  "${pip[@]}" -c "$lock"
else
  echo "mlflow-venv: Python < 3.11, installing without the dependency lock" >&2
  "${pip[@]}"
fi
"$venv/bin/mlflow" --version >&2
echo "$want" > "$stamp"
echo "mlflow-venv: done in $(( $(date +%s) - start ))s" >&2
