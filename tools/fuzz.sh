#!/usr/bin/env bash
# Builds and runs one libFuzzer target (tests/fuzz/<target>_fuzz.cpp) with ASan and UBSan.
#
#   tools/fuzz.sh <target> [seconds] [libFuzzer args...]
#   tools/fuzz.sh --list
#
# target: one of --list. seconds: how long to fuzz (default 60; 0 = until a crash).
# The build dir is build-fuzz/ (clang, COREDNS_FUZZ=ON). The seeds in tests/fuzz/corpus/<target>/
# are read, never written: new inputs go to build-fuzz/corpus/<target>/ and crashes, timeouts
# and leaks to build-fuzz/artifacts/<target>/ (rerun one: build-fuzz/tests/fuzz/<target>_fuzz
# FILE). The last line printed is "fuzz <target>: N executions in S s, clean" (exit 0) or the
# failure (exit 1).
# Environment: BUILD_DIR (default build-fuzz in the tree), CC/CXX (default clang/clang++),
# JOBS (build parallelism, default nproc).
set -euo pipefail

SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC_DIR/build-fuzz}
TARGETS="dns_message corefile scrub cache_reply hosts template tls_stream nat64_6to4 nat64_4to6 nat64_gso nat64_config nat64_map_file"

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
if [ "$1" = "--list" ]; then
  echo "$TARGETS"
  exit 0
fi
TARGET=$1
SECONDS_TO_RUN=${2:-60}
shift
[ $# -gt 0 ] && shift
case " $TARGETS " in
  *" $TARGET "*) ;;
  *) echo "fuzz.sh: unknown target '$TARGET' (one of: $TARGETS)" >&2; exit 2 ;;
esac
case "$SECONDS_TO_RUN" in
  ''|*[!0-9]*) echo "fuzz.sh: seconds must be a number, got '$SECONDS_TO_RUN'" >&2; exit 2 ;;
esac

CC=${CC:-clang}
CXX=${CXX:-clang++}
command -v "$CXX" >/dev/null || { echo "fuzz.sh: $CXX not found (apt-get install clang libclang-rt-dev)" >&2; exit 1; }

CC=$CC CXX=$CXX cmake -S "$SRC_DIR" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCOREDNS_FUZZ=ON -DCOREDNS_TESTS=OFF -DCOREDNS_STATIC=OFF -DCOREDNS_BUILD_NAT64=OFF >/dev/null
cmake --build "$BUILD_DIR" -j"${JOBS:-$(nproc)}" --target "${TARGET}_fuzz"

BIN=$BUILD_DIR/tests/fuzz/${TARGET}_fuzz
SEEDS=$SRC_DIR/tests/fuzz/corpus/$TARGET
CORPUS=$BUILD_DIR/corpus/$TARGET
ARTIFACTS=$BUILD_DIR/artifacts/$TARGET
LOG=$BUILD_DIR/fuzz-$TARGET.log
mkdir -p "$CORPUS" "$ARTIFACTS"
# The packet targets also start from Jool's graybox packets (read recursively, never written).
EXTRA_SEEDS=""
case "$TARGET" in
  nat64_6to4|nat64_4to6) EXTRA_SEEDS=$SRC_DIR/plugins/nat64/translator/tests/data/jool-graybox-siit ;;
esac
DICT=""
[ -f "$SRC_DIR/tests/fuzz/$TARGET.dict" ] && DICT="-dict=$SRC_DIR/tests/fuzz/$TARGET.dict"

# halt_on_error/abort_on_error: UBSan findings are crashes too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
set +e
# shellcheck disable=SC2086
"$BIN" -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$ARTIFACTS/" $DICT "$@" "$CORPUS" "$SEEDS" $EXTRA_SEEDS 2>&1 | tee "$LOG"
rc=$?
set -e
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -n 1)
secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$LOG" | tail -n 1)
if [ "$rc" != 0 ]; then
  echo "fuzz $TARGET: FAILED after ${runs:-?} executions; see $LOG and $ARTIFACTS/" >&2
  exit 1
fi
echo "fuzz $TARGET: ${runs:-?} executions in ${secs:-?} s, clean"
