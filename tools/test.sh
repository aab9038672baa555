#!/usr/bin/env bash
# Builds everything and runs every test: unit and end-to-end, then all of them again in the
# ASan+UBSan build, then the image's static binaries for amd64 and for armel (the strictest
# platform: ARMv5TE, soft float, run under qemu-user) with the flash budget (docs/container.md,
# "Platforms").
# Exit status 0 only if everything passed.
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

# amd64's unit tests ran natively above, twice.
tools/test-platforms.sh --no-unit amd64
# armel: the cross toolchain (returns at once when it is there), then the unit tests under
# qemu on an ARMv5TE core, the smoke tests and the size budget.
TARGETARCH=armel tools/build-static.sh --install-deps
tools/test-platforms.sh armel
echo "All tests passed (release and ASan+UBSan builds, the amd64 and armel images)."
