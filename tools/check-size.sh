#!/bin/sh
# Checks the default image of one architecture against its flash budget (docs/container.md,
# "Size budget"): the image's files as one tar layer, compressed as registries and `docker save
# | gzip` carry it, must stay at or below BUDGET bytes. The root filesystem is measured as
# tools/build-static.sh --out --ca-certs writes it, the image's default: the single binary
# (/coredns, mbedTLS linked in), /nat64 (a link to it), /etc and Debian's CA bundle.
#
#   tools/check-size.sh ARCH ROOTFS
#       ARCH    amd64, arm64, armhf or armel (for the report)
#       ROOTFS  what tools/build-static.sh --out DIR --ca-certs wrote
#
# Prints a table (bytes: each file and gzip -9, the image layer gzip -6 and -9) and
# "check-size ARCH: N bytes <= BUDGET, ok" (exit 0) or "... over budget" (exit 1). The gate is
# gzip -6, the default level docker, buildah and containerd compress layers with (a little larger
# than -9). Environment: BUDGET (default 1800000).
set -eu

[ $# -eq 2 ] || { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
ARCH=$1
ROOTFS=$(cd "$2" && pwd)
BUDGET=${BUDGET:-1800000}
CA=etc/ssl/certs/ca-certificates.crt
fail() { echo "check-size $ARCH: FAILED: $*" >&2; exit 1; }
for f in coredns nat64 etc/passwd etc/group; do [ -e "$ROOTFS/$f" ] || fail "$ROOTFS/$f missing"; done
[ -f "$ROOTFS/$CA" ] || fail "$ROOTFS/$CA missing: build with tools/build-static.sh --ca-certs, as the image is"

# The layer as an image builder writes it: fixed owner and times, files in a stable order.
layer() {
  tar -C "$ROOTFS" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - .
}
layer6=$(layer | gzip -6c | wc -c)
layer9=$(layer | gzip -9c | wc -c)

printf '%-34s %10s %10s\n' "$ARCH" bytes gzip-9
for f in coredns nat64 "$CA"; do
  if [ -L "$ROOTFS/$f" ]; then
    printf '%-34s %10s\n' "/$f" "-> $(readlink "$ROOTFS/$f")"
  else
    printf '%-34s %10d %10d\n' "/$f" "$(wc -c < "$ROOTFS/$f")" "$(gzip -9c "$ROOTFS/$f" | wc -c)"
  fi
done
printf '%-34s %10s %10d   gzip-6: %d\n' "image layer" "" "$layer9" "$layer6"
if [ "$layer6" -gt "$BUDGET" ]; then
  echo "check-size $ARCH: $layer6 bytes > $BUDGET, over budget" >&2
  exit 1
fi
echo "check-size $ARCH: $layer6 bytes <= $BUDGET, ok"
