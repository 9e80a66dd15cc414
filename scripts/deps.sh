#!/usr/bin/env bash
# Installs the Debian 12 packages cortexbench needs (idempotent).
# As root: apt-get installs whatever is missing. Otherwise: prints the exact
# apt-get line to run and exits 1. Usage: scripts/deps.sh [build|test|all|--reference]
set -euo pipefail

BUILD_PKGS=(build-essential cmake pkg-config
  libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools
  libopenblas-dev liblapacke-dev libcurl4-openssl-dev check
  libinih-dev libjansson-dev libpng-dev libmatio-dev libzip-dev libjpeg-dev
  libsndfile1-dev libsamplerate0-dev libprotobuf-c-dev protobuf-c-compiler libonnx-dev
  libarchive-dev libfftw3-dev libssl-dev libcsv-dev librsvg2-dev libdeflate-dev)
# Tests: h5py/numpy read what cortexbench writes (interoperability checks; h5netcdf:
# tests/cli/make_generic_dataset.py writes assemblies with xarray's h5netcdf engine);
# PIL and onnx make test inputs; valgrind for the memcheck label that CI runs.
# dataset-fashion-mnist: the task data of `cortexbench train` (IDX files in /usr/share/datasets/fashion-mnist).
# scipy and scikit-learn: CI's perf smoke (benchmarks/perf/pls_ridge_vs_sklearn.py --smoke).
TEST_PKGS=(python3 python3-numpy python3-scipy python3-sklearn python3-pil python3-onnx python3-h5py python3-h5netcdf
  python3-xarray python3-netcdf4 python3-pandas libonnx-testdata chromium slurm-wlm munge valgrind
  dataset-fashion-mnist)
# --reference: the reference implementations the fixture scripts (tests/reference, tests/unit/nn) and the perf
# comparisons (benchmarks/perf) run with /usr/bin/python3; a fresh machine has none of them. PyTorch is large.
REFERENCE_PKGS=(python3-torch python3-torchvision)

what=${1:-all}
case "$what" in
  build) pkgs=("${BUILD_PKGS[@]}") ;;
  test|all) pkgs=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}") ;;
  reference|--reference) pkgs=("${TEST_PKGS[@]}" "${REFERENCE_PKGS[@]}") ;;
  *) echo "usage: scripts/deps.sh [build|test|all|--reference]" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "cortexbench: missing Debian packages; run as root:" >&2
  echo "  apt-get update && $line" >&2
  exit 1
fi
echo "cortexbench: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
