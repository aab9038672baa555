#!/usr/bin/env bash
# Configures and builds one flavour of the tree: tools/build.sh [release|asan] -> build/ or
# build-asan/. Prints the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case $flavour in
  release) dir=build; opts=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan)    dir=build-asan; opts=(-DCMAKE_BUILD_TYPE=Debug -DCOREDNS_SANITIZE=ON) ;;
  *) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -G Ninja "${opts[@]}" >/dev/null
ninja -C "$dir" >&2
echo "$dir"
