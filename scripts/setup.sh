#!/usr/bin/env bash
# Installs every Debian package daq needs to build and test. Idempotent; run as
# root (or through sudo) on a fresh Debian 12 machine.
set -euo pipefail

packages=(
  # Build: Debian's LLVM/MLIR 22, CMake, Ninja, ccache.
  cmake ninja-build ccache git
  clang-22 lld-22 llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  # lit runs on Python 3; numerics tests compare against numpy in float64.
  python3 python3-numpy
  python3-torch python3-pytest  # python/tests: daq.torch and pytest
  # examples/accuracy_study.py: the data, its progress bar and its plots.
  dataset-fashion-mnist python3-tqdm python3-matplotlib
)

SUDO=
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
