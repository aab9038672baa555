#!/bin/sh
# Checks the default image of one architecture against its flash budget (docs/container.md,
# "Size budget"): the image's files as one tar layer, compressed as registries and `docker
# save | gzip` carry it, must stay at or below BUDGET bytes, counting what the DNS-over-TLS
# upstreams will add before they exist: Debian's CA bundle and the mbedTLS code a TLS client
# links. Both are measured here, not assumed:
#   - the CA bundle: /etc/ssl/certs/ca-certificates.crt of the build host goes into the tar;
#   - mbedTLS: coredns is linked again from its own build with a probe (tools/size/
#     mbedtls_probe.c: a TLS 1.2 client with CA verification) and Debian's libmbedtls.a,
#     libmbedx509.a and libmbedcrypto.a for ARCH, with the same --gc-sections; that binary
#     stands in for /coredns in the measured tar.
#
#   tools/check-size.sh ARCH ROOTFS BUILD_DIR
#       ARCH       amd64, arm64, armhf or armel
#       ROOTFS     what tools/build-static.sh --out wrote (coredns, nat64, etc/)
#       BUILD_DIR  that build's directory (build-static-ARCH), for the relink
#
# Prints a table (bytes: each binary stripped and gzip -9, the image layer gzip -6 and -9, the
# reserve) and "check-size ARCH: N bytes <= BUDGET, ok" (exit 0) or "... over budget" (exit 1).
# The gate is gzip -6, the default level docker, buildah and containerd compress layers with
# (a little larger than -9). Environment: BUDGET (default 1800000), CA_BUNDLE.
set -eu

[ $# -eq 3 ] || { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
ARCH=$1
ROOTFS=$(cd "$2" && pwd)
BUILD_DIR=$(cd "$3" && pwd)
BUDGET=${BUDGET:-1800000}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)

case "$ARCH" in
  amd64) TRIPLET=x86_64-linux-gnu ;;
  arm64) TRIPLET=aarch64-linux-gnu ;;
  armhf) TRIPLET=arm-linux-gnueabihf ;;
  armel) TRIPLET=arm-linux-gnueabi ;;
  *) echo "check-size.sh: unknown ARCH $ARCH" >&2; exit 2 ;;
esac
fail() { echo "check-size $ARCH: FAILED: $*" >&2; exit 1; }
for f in coredns nat64 etc/passwd etc/group; do [ -f "$ROOTFS/$f" ] || fail "$ROOTFS/$f missing"; done
[ -f "$CA_BUNDLE" ] || fail "$CA_BUNDLE missing (apt-get install ca-certificates)"
LINK=$BUILD_DIR/core/main/CMakeFiles/coredns.dir/link.txt
[ -f "$LINK" ] || fail "$LINK missing: BUILD_DIR must be the Makefile build that made ROOTFS"
for l in mbedtls mbedx509 mbedcrypto; do
  [ -f "/usr/lib/$TRIPLET/lib$l.a" ] ||
    fail "/usr/lib/$TRIPLET/lib$l.a missing (TARGETARCH=$ARCH tools/build-static.sh --install-deps)"
done
# The build's C compiler: in the cache for a native build, named by the toolchain file (so not
# cached) for a cross one.
CC=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt")
[ -n "$CC" ] || CC=$TRIPLET-gcc
CFLAGS=$(sed -n 's/^CMAKE_C_FLAGS:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt")
STRIP=strip
[ "$ARCH" = "$(dpkg --print-architecture)" ] || STRIP=$TRIPLET-strip

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM

# coredns with the TLS client linked in: its own link line, plus the probe and the libraries.
# -u keeps the probe (and so everything it reaches) through --gc-sections.
# shellcheck disable=SC2086
"$CC" $CFLAGS -Os -ffunction-sections -fdata-sections -DMBEDTLS_PROBE -Dmain=coredns_tls_probe \
  -c "$SRC_DIR/tools/size/mbedtls_probe.c" -o "$WORK/probe.o"
link=$(sed -e "s| -o coredns | -o $WORK/coredns-tls |" "$LINK")
case "$link" in *"$WORK/coredns-tls"*) ;; *) fail "cannot find '-o coredns' in $LINK" ;; esac
(cd "$BUILD_DIR/core/main" &&
  eval "$link $WORK/probe.o -Wl,-u,coredns_tls_probe -lmbedtls -lmbedx509 -lmbedcrypto" 2>"$WORK/link.err") ||
  { cat "$WORK/link.err" >&2; fail "relink with mbedTLS failed"; }
$STRIP -s "$WORK/coredns-tls"

# The layer as an image builder writes it: fixed owner and times, files in a stable order.
layer() {
  tar -C "$1" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - .
}
mkdir -p "$WORK/now" "$WORK/full/etc/ssl/certs"
cp -a "$ROOTFS/." "$WORK/now/"
cp -a "$ROOTFS/." "$WORK/full/"
cp "$WORK/coredns-tls" "$WORK/full/coredns"
cp "$CA_BUNDLE" "$WORK/full/etc/ssl/certs/ca-certificates.crt"

gz() { gzip -"$1"c | wc -c; }
now6=$(layer "$WORK/now" | gz 6)
now9=$(layer "$WORK/now" | gz 9)
full6=$(layer "$WORK/full" | gz 6)
full9=$(layer "$WORK/full" | gz 9)
ca9=$(gzip -9c "$CA_BUNDLE" | wc -c)
tls_raw=$(($(wc -c < "$WORK/coredns-tls") - $(wc -c < "$ROOTFS/coredns")))
tls9=$(($(gzip -9c "$WORK/coredns-tls" | wc -c) - $(gzip -9c "$ROOTFS/coredns" | wc -c)))

printf '%-34s %10s %10s\n' "$ARCH" bytes gzip-9
for f in coredns nat64; do
  printf '%-34s %10d %10d\n' "/$f" "$(wc -c < "$ROOTFS/$f")" "$(gzip -9c "$ROOTFS/$f" | wc -c)"
done
printf '%-34s %10d %10d\n' "reserve: mbedTLS in /coredns" "$tls_raw" "$tls9"
printf '%-34s %10d %10d\n' "reserve: CA bundle" "$(wc -c < "$CA_BUNDLE")" "$ca9"
printf '%-34s %10s %10d   gzip-6: %d\n' "image layer today" "" "$now9" "$now6"
printf '%-34s %10s %10d   gzip-6: %d\n' "image layer with TLS + CA bundle" "" "$full9" "$full6"
if [ "$full6" -gt "$BUDGET" ]; then
  echo "check-size $ARCH: $full6 bytes > $BUDGET, over budget" >&2
  exit 1
fi
echo "check-size $ARCH: $full6 bytes <= $BUDGET, ok"
