#!/usr/bin/env bash
# Builds and tests the image binaries of each platform; a foreign one runs under qemu-user
# (Debian's qemu-user-static, no binfmt needed). docs/container.md, "Platforms", reports a run.
#
#   tools/test-platforms.sh [--no-unit | --unit-tests "NAME..." | --no-build] [--no-size] [--no-nat64] ARCH... | all
#       ARCH: amd64 (linux/amd64), arm64 (linux/arm64), armhf (linux/arm/v7),
#             armel (linux/arm/v5); all = the four
#
# Per platform, in build-static-ARCH/:
#   1. tools/build-static.sh --out build-static-ARCH/rootfs: the static binaries, and the unit
#      tests built and run (under qemu for a foreign ARCH: -cpu arm926 for armel, cortex-a7 for
#      armhf, so an instruction the routers lack fails). --no-unit builds only the programs;
#      --unit-tests "core nat64" only those suites (tools/build-static.sh --unit-tests);
#      --no-build tests the rootfs and build that are there (steps 2-5).
#   2. tools/check-static.sh: coredns answers whoami from an otherwise empty chroot.
#   3. tools/check-size.sh: the default image (CA bundle included) within the flash budget
#      (--no-size skips it).
#   4. tests/platform/smoke_test.py: coredns answering whoami and a dns64 query through nsd on
#      loopback, over UDP and TCP (dig).
#   5. nat64 in network namespaces (root): a ping and TCP/UDP through the translator, from the
#      nat64 end-to-end suite (plugins/nat64/translator/tests/e2e_test.py). --no-nat64 skips it.
# The --install-deps of tools/build-static.sh must have run for each ARCH. Ends with one line
# per platform and "test-platforms: N passed, N failed".
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
UNIT=1
BUILD=1
UNIT_TESTS=""
NAT64=1
SIZE=1
ARCHES=()
while [ $# -gt 0 ]; do
  a=$1
  shift
  case "$a" in
    --no-unit) UNIT=0 ;;
    --no-build) BUILD=0 ;;
    --unit-tests) UNIT_TESTS=${1:?--unit-tests needs a list}; shift ;;
    --no-nat64) NAT64=0 ;;
    --no-size) SIZE=0 ;;
    all) ARCHES+=(amd64 arm64 armhf armel) ;;
    amd64|arm64|armhf|armel) ARCHES+=("$a") ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test-platforms.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done
((${#ARCHES[@]})) || { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

HOSTARCH=$(dpkg --print-architecture)
PY=/usr/bin/python3
results=()
passed=0
failed=0

# The command that runs a binary of ARCH on this host.
emulator() {
  [ "$1" = "$HOSTARCH" ] && return 0
  case "$1" in
    amd64) echo "qemu-x86_64-static" ;;
    arm64) echo "qemu-aarch64-static" ;;
    armhf) echo "qemu-arm-static -cpu cortex-a7" ;;
    armel) echo "qemu-arm-static -cpu arm926" ;;
  esac
}

# A script that execs BINARY (under qemu for a foreign ARCH), for the harness's *_BIN variables.
wrapper() {  # ARCH BINARY OUT
  { echo '#!/bin/sh'; echo "exec $(emulator "$1") $2 \"\$@\""; } > "$3"
  chmod 0755 "$3"
}

step() {  # ARCH NAME COMMAND...
  local arch=$1 name=$2
  shift 2
  local t0=$SECONDS
  echo "== $arch: $name"
  if "$@"; then
    echo "== $arch: $name: ok ($((SECONDS - t0)) s)"
    return 0
  fi
  echo "== $arch: $name: FAILED ($((SECONDS - t0)) s)" >&2
  return 1
}

for arch in "${ARCHES[@]}"; do
  t0=$SECONDS
  bdir=$ROOT/build-static-$arch
  rootfs=$bdir/rootfs
  work=$(mktemp -d)
  flags=(--ca-certs)
  [ "$UNIT" = 0 ] && flags+=(--no-test)
  [ -n "$UNIT_TESTS" ] && flags+=(--unit-tests "$UNIT_TESTS")
  ok=1
  if [ "$BUILD" = 1 ]; then
    rm -rf "$rootfs"
    step "$arch" "build$([ "$UNIT" = 1 ] && echo " + unit tests")" \
      env TARGETARCH="$arch" BUILD_DIR="$bdir" JOBS="${JOBS:-2}" "$ROOT/tools/build-static.sh" --out "$rootfs" "${flags[@]}" || ok=0
  elif [ ! -x "$rootfs/coredns" ]; then
    echo "== $arch: --no-build, but $rootfs/coredns is missing" >&2
    ok=0
  fi
  if [ "$ok" = 1 ]; then
    step "$arch" "static check" "$ROOT/tools/check-static.sh" "$rootfs" || ok=0
    if [ "$SIZE" = 1 ]; then
      step "$arch" "size budget" "$ROOT/tools/check-size.sh" "$arch" "$rootfs" || ok=0
    fi
    wrapper "$arch" "$rootfs/coredns" "$work/coredns"
    wrapper "$arch" "$rootfs/nat64" "$work/nat64"
    step "$arch" "coredns smoke (whoami, dns64 via nsd; UDP, TCP)" \
      env COREDNS_BIN="$work/coredns" PYTHONPATH="$ROOT/tests/e2e" PYTHONDONTWRITEBYTECODE=1 \
      "$PY" -m pytest -q -p no:cacheprovider "$ROOT/tests/platform/smoke_test.py" || ok=0
    if [ "$NAT64" = 1 ]; then
      if [ "$(id -u)" != 0 ]; then
        echo "== $arch: nat64 in namespaces: needs root" >&2
        ok=0
      else
        step "$arch" "nat64 ping and TCP/UDP through a TUN in namespaces" \
          env NAT64_BIN="$work/nat64" PYTHONDONTWRITEBYTECODE=1 "$PY" -m pytest -q -p no:cacheprovider \
          "$ROOT/plugins/nat64/translator/tests/e2e_test.py" \
          -k "test_ping_through_translator or test_ping_translator_itself or test_tcp_and_udp_6to4_dynamic_pool or test_tcp_and_udp_4to6_static_map" ||
          ok=0
      fi
    fi
  fi
  rm -rf "$work"
  if [ "$ok" = 1 ]; then
    results+=("$arch: ok ($((SECONDS - t0)) s)")
    passed=$((passed + 1))
  else
    results+=("$arch: FAILED ($((SECONDS - t0)) s)")
    failed=$((failed + 1))
  fi
done

printf '%s\n' "${results[@]}"
echo "test-platforms: $passed passed, $failed failed"
[ "$failed" = 0 ]
