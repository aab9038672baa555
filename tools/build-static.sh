#!/bin/sh
# Builds fully static, stripped `coredns` and `nat64` binaries for TARGETARCH (amd64, arm64,
# armhf = linux/arm/v7, armel = linux/arm/v5) on Debian bookworm: glibc, libstdc++, libuv,
# c-ares and RE2 linked in; fmt header-only. The same script runs on a developer's host, in CI
# and in the Dockerfile's build stage.
#
#   tools/build-static.sh --install-deps           # apt-get the toolchain and -dev packages (root)
#   tools/build-static.sh [--out DIR] [--nat64-out DIR] [--no-test] [--ca-certs] [--no-setcap]
#
#   --install-deps  install what the build needs for TARGETARCH (for a cross build: dpkg
#                   --add-architecture, crossbuild-essential-ARCH, the :ARCH -dev packages and
#                   qemu-user-static to run the unit tests) and exit
#   --out DIR       write the image's root filesystem to DIR: DIR/coredns, the single binary
#                   that is also the translator when called as nat64 (coredns_multicall;
#                   stripped, mode 0755, file capabilities cap_net_bind_service,cap_net_admin+p),
#                   DIR/nat64 a symbolic link to it, DIR/etc/passwd and DIR/etc/group naming
#                   uid/gid 65532 "nonroot" (as distroless :nonroot does)
#   --nat64-out DIR write the translator-only image's root filesystem to DIR: the nat64
#                   program alone (DIR/nat64, cap_net_admin+p) and the same etc/ files
#   --no-test       build only the programs (COREDNS_TESTS=OFF); default: also build and run the
#                   unit tests (ctest -R '^unit\.'; a cross build runs them under qemu)
#   --unit-tests "NAME..."  build and run only these unit-test suites (ctest unit.NAME, program
#                   NAME_test: e.g. "core nat64"), not all of them
#   --ca-certs      also put Debian's CA bundle at DIR/etc/ssl/certs/ca-certificates.crt (for
#                   forward's tls:// upstreams); the Dockerfile passes it, unless CA_CERTS=0.
#   --no-setcap     do not set file capabilities on the binaries in DIR (non-root hosts)
#
# Environment: TARGETARCH (default: the host's), BUILD_DIR (default: build-static-$TARGETARCH in
# the source tree), SRC_DIR (default: the tree this script is in), JOBS (default: nproc).
set -eu

SRC_DIR=${SRC_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
HOSTARCH=$(dpkg --print-architecture)
TARGETARCH=${TARGETARCH:-$HOSTARCH}
BUILD_DIR=${BUILD_DIR:-$SRC_DIR/build-static-$TARGETARCH}
JOBS=${JOBS:-$(nproc)}
OUT=""
NAT64_OUT=""
RUN_TESTS=1
UNIT_TESTS=""
INSTALL=0
CA_CERTS=0
SETCAP=1

usage() { sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --install-deps) INSTALL=1 ;;
    --out) [ $# -ge 2 ] || { echo "--out needs a directory" >&2; exit 2; }; OUT=$2; shift ;;
    --out=*) OUT=${1#--out=} ;;
    --nat64-out) [ $# -ge 2 ] || { echo "--nat64-out needs a directory" >&2; exit 2; }; NAT64_OUT=$2; shift ;;
    --nat64-out=*) NAT64_OUT=${1#--nat64-out=} ;;
    --no-test) RUN_TESTS=0 ;;
    --unit-tests) [ $# -ge 2 ] || { echo "--unit-tests needs a list" >&2; exit 2; }; UNIT_TESTS=$2; shift ;;
    --unit-tests=*) UNIT_TESTS=${1#--unit-tests=} ;;
    --ca-certs) CA_CERTS=1 ;;
    --no-setcap) SETCAP=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build-static.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

case "$TARGETARCH" in
  amd64) TRIPLET=x86_64-linux-gnu; QEMU=qemu-x86_64-static ;;
  arm64) TRIPLET=aarch64-linux-gnu; QEMU=qemu-aarch64-static ;;
  armhf) TRIPLET=arm-linux-gnueabihf; QEMU=qemu-arm-static ;;
  armel) TRIPLET=arm-linux-gnueabi; QEMU=qemu-arm-static ;;
  *) echo "build-static.sh: unsupported TARGETARCH=$TARGETARCH (amd64, arm64, armhf or armel)" >&2; exit 2 ;;
esac
CROSS=0
[ "$TARGETARCH" != "$HOSTARCH" ] && CROSS=1

if [ "$INSTALL" = 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  PKGS="cmake make pkgconf g++ file binutils libcap2-bin ca-certificates nlohmann-json3-dev catch2"
  if [ "$CROSS" = 1 ]; then
    dpkg --add-architecture "$TARGETARCH"   # idempotent
    PKGS="$PKGS crossbuild-essential-$TARGETARCH qemu-user-static"
    PKGS="$PKGS libuv1-dev:$TARGETARCH libc-ares-dev:$TARGETARCH libfmt-dev:$TARGETARCH libre2-dev:$TARGETARCH"
    PKGS="$PKGS libmbedtls-dev:$TARGETARCH"
  else
    PKGS="$PKGS libuv1-dev libc-ares-dev libfmt-dev libhttp-parser-dev libre2-dev libmbedtls-dev liburing-dev"
  fi
  # Idempotent and quick when everything is there (CI calls it on every run).
  missing=""
  for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  updated=0
  if [ -n "$missing" ]; then
    apt-get update -qq
    updated=1
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
  fi
  if [ "$CROSS" = 1 ] && { ! [ -f "/usr/$TRIPLET/lib/libhttp_parser.a" ] || ! [ -f "/usr/$TRIPLET/lib/liburing.a" ]; }; then
    [ "$updated" = 1 ] || apt-get update -qq
    # Two -dev packages go into the cross sysroot (where the toolchain file's find_library and
    # find_path look first) instead of being installed as :ARCH packages. libhttp-parser-dev is
    # not Multi-Arch: same, so its :ARCH package would replace the native one and break native
    # builds. liburing-dev:ARCH depends on linux-libc-dev:ARCH, which must have the host's exact
    # version, and a mirror whose security updates lag for one architecture (armel here) cannot
    # provide it; the cross compiler takes the kernel headers from linux-libc-dev-ARCH-cross.
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -qq "libhttp-parser-dev:$TARGETARCH" "liburing-dev:$TARGETARCH")
    for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/x"; done
    install -D -m 0644 "$tmp/x/usr/lib/$TRIPLET/libhttp_parser.a" "/usr/$TRIPLET/lib/libhttp_parser.a"
    install -D -m 0644 "$tmp/x/usr/include/http_parser.h" "/usr/$TRIPLET/include/http_parser.h"
    install -D -m 0644 "$tmp/x/usr/lib/$TRIPLET/liburing.a" "/usr/$TRIPLET/lib/liburing.a"
    install -D -m 0644 "$tmp/x/usr/include/liburing.h" "/usr/$TRIPLET/include/liburing.h"
    mkdir -p "/usr/$TRIPLET/include/liburing"
    install -m 0644 "$tmp"/x/usr/include/liburing/*.h "/usr/$TRIPLET/include/liburing/"
    rm -rf "$tmp"
  fi
  exit 0
fi

TOOLCHAIN=""
if [ "$CROSS" = 1 ]; then
  TOOLCHAIN="-DCMAKE_TOOLCHAIN_FILE=$SRC_DIR/cmake/toolchains/$TRIPLET.cmake"
  command -v "$TRIPLET-g++" >/dev/null ||
    { echo "build-static.sh: $TRIPLET-g++ missing; run TARGETARCH=$TARGETARCH $0 --install-deps" >&2; exit 1; }
fi
TESTS=ON
[ "$RUN_TESTS" = 0 ] && TESTS=OFF

# shellcheck disable=SC2086
cmake -S "$SRC_DIR" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=MinSizeRel -DCOREDNS_STATIC=ON \
  -DCOREDNS_TESTS=$TESTS -DCOREDNS_FUZZ=OFF -DCOREDNS_SANITIZE=OFF $TOOLCHAIN
if [ "$RUN_TESTS" = 1 ] && [ -n "$UNIT_TESTS" ]; then
  targets="coredns nat64 coredns_multicall"
  regex=""
  for t in $UNIT_TESTS; do
    targets="$targets ${t}_test"
    regex="$regex${regex:+|}$t"
  done
  # shellcheck disable=SC2086
  cmake --build "$BUILD_DIR" -j"$JOBS" --target $targets
  UNIT_REGEX="^unit\.($regex)\$"
else
  cmake --build "$BUILD_DIR" -j"$JOBS"
  UNIT_REGEX='^unit\.'
fi

PROGRAMS=coredns
[ -f "$BUILD_DIR/plugins/nat64/translator/nat64" ] && PROGRAMS="$PROGRAMS nat64 coredns_multicall"
path_of() {
  case "$1" in
    coredns) echo "$BUILD_DIR/core/main/coredns" ;;
    nat64) echo "$BUILD_DIR/plugins/nat64/translator/nat64" ;;
    coredns_multicall) echo "$BUILD_DIR/plugins/nat64/coredns_multicall" ;;
  esac
}
for p in $PROGRAMS; do
  if ! file -L "$(path_of "$p")" | grep -q 'statically linked'; then
    echo "build-static.sh: $(path_of "$p") is not statically linked" >&2
    file -L "$(path_of "$p")" >&2
    exit 1
  fi
done

if [ "$RUN_TESTS" = 1 ]; then
  if [ "$CROSS" = 0 ] || command -v "$QEMU" >/dev/null; then
    # Unit tests only: the end-to-end tests need dig, nsd, namespaces... and run in the normal
    # build. A cross build runs them through CMAKE_CROSSCOMPILING_EMULATOR (qemu, no binfmt).
    (cd "$BUILD_DIR" && ctest -R "$UNIT_REGEX" --output-on-failure)
  else
    echo "build-static.sh: cross build without $QEMU: unit tests not run" >&2
  fi
fi

STRIP="strip"
[ "$CROSS" = 1 ] && STRIP=$TRIPLET-strip
# Permitted-only file capabilities: each program raises the one it uses and drops the other's
# (core/util/capabilities.h); with the effective bit the kernel would refuse to exec the binary
# in a container that withholds either capability.
IMAGE_CAPS=cap_net_bind_service,cap_net_admin+p
rootfs_files() {  # DIR: the users the images run as
  mkdir -p "$1/etc"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
    > "$1/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' > "$1/etc/group"
}
install_program() {  # PROGRAM DEST CAPS
  rm -f "$2"
  $STRIP -s -o "$2" "$(path_of "$1")"
  chmod 0755 "$2"
  [ "$SETCAP" = 1 ] && setcap "$3" "$2"
  echo "$2: $(wc -c < "$2") bytes, $(gzip -9c "$2" | wc -c) gzip -9 ($TARGETARCH)"
}

if [ -n "$OUT" ]; then
  rootfs_files "$OUT"
  rm -f "$OUT/nat64"
  case " $PROGRAMS " in
    *" coredns_multicall "*)
      # One file for both programs: they share the C library, the C++ runtime, libuv and fmt,
      # most of the translator's size (docs/container.md, "One binary").
      install_program coredns_multicall "$OUT/coredns" "$IMAGE_CAPS"
      ln -s coredns "$OUT/nat64" ;;
    *) install_program coredns "$OUT/coredns" "$IMAGE_CAPS" ;;
  esac
  if [ "$CA_CERTS" = 1 ]; then
    [ -f /etc/ssl/certs/ca-certificates.crt ] ||
      { echo "build-static.sh: /etc/ssl/certs/ca-certificates.crt missing (apt-get install ca-certificates)" >&2; exit 1; }
    mkdir -p "$OUT/etc/ssl/certs"
    cp /etc/ssl/certs/ca-certificates.crt "$OUT/etc/ssl/certs/ca-certificates.crt"
  else
    rm -rf "$OUT/etc/ssl"
  fi
fi
if [ -n "$NAT64_OUT" ]; then
  case " $PROGRAMS " in *" nat64 "*) ;; *) echo "build-static.sh: nat64 was not built" >&2; exit 1 ;; esac
  rootfs_files "$NAT64_OUT"
  install_program nat64 "$NAT64_OUT/nat64" cap_net_admin+p
fi
