#!/usr/bin/env bash
# Builds everything and runs every test: unit and end-to-end, then all of them again in the
# ASan+UBSan build; then the static amd64 image's binaries (tools/test-platforms.sh). Exit
# status 0 only if everything passed.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh

run_suite() {
  local dir=$1
  # End-to-end tests bind their own free ports, so two can run side by side.
  ctest --test-dir "$dir" --output-on-failure -j2 --timeout 900
}

dir=$(tools/build.sh release)
run_suite "$dir"

dir=$(tools/build.sh asan)
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite "$dir"
# The image's static amd64 binaries: built (their unit tests ran above in the release build),
# coredns from an empty chroot, coredns answering whoami and dns64 through nsd over UDP and
# TCP, nat64 translating in namespaces. About 6 minutes on 2 cores. armel under qemu and the
# size budget are not here: docs/container.md, "Platforms" says why and has the numbers.
tools/test-platforms.sh --no-unit --no-size amd64
echo "All tests passed (release and ASan+UBSan builds, static amd64 image)."
