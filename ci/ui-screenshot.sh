#!/usr/bin/env bash
# Looks at flowbench's runs in the MLflow UI with a real browser: records ci/ui-screenshot.conf in a scratch
# ./mlruns, starts `bin/flowbench ui` on it, opens the experiment link that command prints in headless
# Chromium, saves a screenshot and the rendered page, and checks that the page is the model-training view
# (the Runs page with every training run and its metric charts), not MLflow 3's GenAI view (Traces,
# Evaluation runs) nor collapsed parent runs with "Model metrics (0)". See docs/tracking.md.
#   ci/ui-screenshot.sh [OUT_DIR]   (default target/ui-screenshot: experiment.png, experiment.html, ui.log)
# Chromium comes from Debian (apt-get install chromium, done here when missing and allowed); without it the
# check is skipped, saying so, with exit status 0. Exit status 1: the page is not what it should be.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="$(mkdir -p "${1:-target/ui-screenshot}" && cd "${1:-target/ui-screenshot}" && pwd)"

find_browser() {
  for b in chromium chromium-browser google-chrome; do
    command -v "$b" && return 0
  done
  return 1
}
browser="$(find_browser || true)"
if [ -z "$browser" ] && command -v apt-get >/dev/null; then
  sudo=()
  [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null && sudo=(sudo -n); }
  if [ "$(id -u)" = 0 ] || [ ${#sudo[@]} -gt 0 ]; then
    echo "ui-screenshot: installing Chromium (apt-get install chromium)" >&2
    export DEBIAN_FRONTEND=noninteractive
    { "${sudo[@]}" apt-get update -q && "${sudo[@]}" apt-get install -y -q chromium; } >"$out/apt.log" 2>&1 \
      || echo "ui-screenshot: apt-get install chromium failed (see $out/apt.log)" >&2
    browser="$(find_browser || true)"
  fi
fi
if [ -z "$browser" ]; then
  echo "ui-screenshot: SKIPPED, nothing checked: no Chromium, and it cannot be installed here (apt-get install chromium as root)"
  exit 0
fi

ci/install-datasets.sh
ci/mlflow-venv.sh
work="$(mktemp -d)"
ui_pid=""
cleanup() {
  [ -z "$ui_pid" ] || kill "$ui_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "ui-screenshot: recording ci/ui-screenshot.conf in a scratch store" >&2
bin/flowbench run ci/ui-screenshot.conf --set "experiment.tracking.uri=$work/mlruns" >"$out/run.log" 2>&1 \
  || { echo "ui-screenshot: the run failed, see $out/run.log" >&2; exit 1; }

port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
bin/flowbench ui --store "$work/mlruns" --port "$port" >"$out/ui.log" 2>&1 &
ui_pid=$!
ready() {
  .venv/bin/python -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=2)" 2>/dev/null
}
for _ in $(seq 180); do
  ready && break
  kill -0 "$ui_pid" 2>/dev/null || { echo "ui-screenshot: flowbench ui ended, see $out/ui.log" >&2; exit 1; }
  sleep 1
done
ready || { echo "ui-screenshot: the MLflow UI did not answer on port $port within 3 minutes, see $out/ui.log" >&2; exit 1; }
url="$(grep -o "http://[^ ]*#/experiments/[^ ]*" "$out/ui.log" | head -n 1 || true)"
[ -n "$url" ] || { echo "ui-screenshot: flowbench ui printed no experiment link, see $out/ui.log" >&2; exit 1; }

chrome=("$browser" --headless --disable-gpu --hide-scrollbars --window-size=1400,900)
[ "$(id -u)" != 0 ] || chrome+=(--no-sandbox)

# Fails (lists in $failures) unless the rendered page is the training view: the Runs page, both training runs
# in rows of their own, metric charts configured and drawn, nothing of the GenAI view.
check_page() {
  local html="$out/experiment.html" text
  failures=()
  text="$(sed -e 's/<[^>]*>/ /g' "$html" | tr -s ' \n\t' ' ')" # style sheets left in match nothing below
  grep -qE '<title>Runs - Experiment [0-9]+ - MLflow</title>' "$html" || failures+=("the page is not the experiment's Runs page")
  grep -q 'Model registry' <<<"$text" || failures+=("no model-training navigation (Runs, Models, Model registry)")
  ! grep -qE 'Evaluation runs|Start tracing' <<<"$text" || failures+=("the GenAI view (Traces, Evaluation runs) is shown")
  grep -q 'glow-seed0' <<<"$text" || failures+=("the training run glow-seed0 is not listed")
  grep -q 'dlf-k2-seed0' <<<"$text" || failures+=("the training run dlf-k2-seed0 is not listed")
  grep -qE 'Model metrics \( ?[1-9][0-9]* ?\)' <<<"$text" || failures+=("no metric charts (\"Model metrics (0)\")")
  grep -q 'main-svg' "$html" || failures+=("no chart was drawn")
  [ ${#failures[@]} -eq 0 ]
}

# One page load gives both the screenshot and the DOM; the charts are drawn late, so a slow (shared) machine
# gets more (virtual) time.
echo "ui-screenshot: opening $url" >&2
for budget in 60000 120000 240000; do
  "${chrome[@]}" --virtual-time-budget="$budget" --screenshot="$out/experiment.png" --dump-dom "$url" \
    >"$out/experiment.html" 2>"$out/chromium.log" || true
  check_page && break
  echo "ui-screenshot: after ${budget} ms of page time: ${failures[*]}" >&2
done
if [ ${#failures[@]} -gt 0 ]; then
  printf 'ui-screenshot: FAILED: %s\n' "${failures[@]}" >&2
  echo "ui-screenshot: look at $out/experiment.png and $out/experiment.html" >&2
  exit 1
fi
echo "ui-screenshot: OK: the MLflow UI shows the training runs with their metric charts ($out/experiment.png)"
