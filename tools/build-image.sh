#!/bin/sh
# Assembles the images without a Docker daemon or a base image: builds the static binaries on
# this host with tools/build-static.sh (its --install-deps must have run for each arch), then
# uses buildah to make what the Dockerfile's last two stages make, for each architecture.
#
#   tools/build-image.sh [IMAGE] [ARCHES]     e.g. tools/build-image.sh localhost/coredns-cpp "amd64 armel"
#
# ARCHES: Debian architectures, default all four: amd64 (linux/amd64), arm64 (linux/arm64),
# armhf (linux/arm/v7), armel (linux/arm/v5). Produces, per ARCH: images IMAGE:ARCH (/coredns +
# /nat64, USER 65532, the default image) and
# IMAGE-nat64:ARCH (/nat64 alone, root); and in $DIST (default build-images/ in the tree):
#   NAME-ARCH.oci.tar       OCI archive (skopeo/podman load)
#   NAME-ARCH.docker.tar    docker-archive, one uncompressed layer: RouterOS /container file=
#                           (docs/container.md says which file each RouterOS device takes)
#   NAME.multi.oci.tar      OCI index with every ARCH (IMAGE:multi)
#   NAME-nat64-ARCH.docker.tar
# Environment: DIST, CA_CERTS=0 (leave out the CA bundle, shipped by default), RUN_TESTS=1 (run the unit tests),
# NAT64_IMAGE=0 (skip the nat64-only image).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMAGE=${1:-localhost/coredns-cpp}
ARCHES=${2:-"amd64 arm64 armhf armel"}
DIST=${DIST:-$ROOT/build-images}
NAT64_IMAGE=${NAT64_IMAGE:-1}
command -v buildah >/dev/null || { echo "build-image.sh: buildah missing (apt-get install buildah)" >&2; exit 1; }
mkdir -p "$DIST"
name=$(basename "$IMAGE")
flags=""
[ "${CA_CERTS:-1}" = 1 ] && flags="$flags --ca-certs"
[ "${RUN_TESTS:-0}" = 1 ] || flags="$flags --no-test"

buildah manifest rm "$IMAGE:multi" >/dev/null 2>&1 || true
buildah manifest create "$IMAGE:multi" >/dev/null

# The OCI platform of a Debian architecture: "ARCH VARIANT".
oci_platform() {
  case "$1" in
    amd64) echo "amd64 " ;;
    arm64) echo "arm64 v8" ;;
    armhf) echo "arm v7" ;;
    armel) echo "arm v5" ;;
    *) echo "build-image.sh: unknown architecture $1 (amd64, arm64, armhf, armel)" >&2; exit 2 ;;
  esac
}

# image TAG ROOTFS DEBIAN-ARCH USER ENTRYPOINT [PORTS]
image() {
  set -- "$1" "$2" "$3" "$4" "$5" "${6:-}"
  plat=$(oci_platform "$3")
  oarch=${plat% *}
  variant=${plat#* }
  ctr=$(buildah from --arch "$oarch" ${variant:+--variant "$variant"} scratch)
  buildah copy "$ctr" "$2/" / >/dev/null                 # keeps the security.capability xattrs
  buildah config --os linux --arch "$oarch" ${variant:+--variant "$variant"} --user "$4" --workingdir / \
    --entrypoint "$5" --cmd '' "$ctr"
  if [ -n "$6" ]; then buildah config --port 53/tcp --port 53/udp "$ctr"; fi
  buildah rmi "$1" >/dev/null 2>&1 || true
  buildah commit -q --rm --format oci "$ctr" "$1" >/dev/null
}

for arch in $ARCHES; do
  out=$ROOT/build-static-$arch/rootfs
  rm -rf "$out"
  # shellcheck disable=SC2086
  TARGETARCH=$arch BUILD_DIR=$ROOT/build-static-$arch "$ROOT/tools/build-static.sh" --out "$out" $flags
  image "$IMAGE:$arch" "$out" "$arch" 65532:65532 '["/coredns"]' ports
  buildah manifest add "$IMAGE:multi" "$IMAGE:$arch" >/dev/null
  rm -f "$DIST/$name-$arch.oci.tar" "$DIST/$name-$arch.docker.tar"
  buildah push -q "$IMAGE:$arch" "oci-archive:$DIST/$name-$arch.oci.tar"
  buildah push -q "$IMAGE:$arch" "docker-archive:$DIST/$name-$arch.docker.tar:$IMAGE:latest"
  if [ "$NAT64_IMAGE" = 1 ] && [ -f "$out/nat64" ]; then
    n64=$ROOT/build-static-$arch/rootfs-nat64
    rm -rf "$n64"
    mkdir -p "$n64/etc"
    cp "$out/nat64" "$n64/nat64"                        # plain cp: no file capability (runs as root)
    cp "$out/etc/passwd" "$out/etc/group" "$n64/etc/"
    image "$IMAGE-nat64:$arch" "$n64" "$arch" 0:0 '["/nat64", "--nodetach", "--stdout"]'
    rm -f "$DIST/$name-nat64-$arch.docker.tar"
    buildah push -q "$IMAGE-nat64:$arch" "docker-archive:$DIST/$name-nat64-$arch.docker.tar:$IMAGE-nat64:latest"
  fi
done
rm -f "$DIST/$name.multi.oci.tar"
buildah manifest push -q --all --format oci "$IMAGE:multi" "oci-archive:$DIST/$name.multi.oci.tar"
ls -l "$DIST"
