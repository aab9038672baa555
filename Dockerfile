# syntax=docker/dockerfile:1
# coredns-cpp images: the same contract as CoreDNS's coredns/coredns (docs/container.md).
#
#   docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7,linux/arm/v5 \
#     -t you/coredns-cpp:TAG --push .
#   docker buildx build --platform linux/arm/v5 -o type=docker,dest=coredns-armel.tar .  # RouterOS
#   docker buildx build --target nat64 -t you/nat64:TAG .                    # translator alone
#
# The build stage runs on the builder's own platform and cross-compiles for TARGETARCH with
# tools/build-static.sh (no QEMU needed to compile); linux/arm/v7 is Debian's armhf and
# linux/arm/v5 its armel (ARMv5TE, soft float). Build args:
#   CA_CERTS=0   leave out /etc/ssl/certs/ca-certificates.crt (shipped by default: forward's tls://
#                upstreams verify against it)
#   RUN_TESTS=1  build and run the unit tests in the build stage (a cross build runs them in qemu)
# Daemonless (buildah 1.28 also needs --build-arg BUILDPLATFORM=linux/amd64 for --platform arm64):
#   buildah bud --pull=never --platform linux/arm64 --build-arg BUILDPLATFORM=linux/amd64 -t IMG .
ARG BUILD_IMAGE=debian:bookworm-slim

FROM --platform=$BUILDPLATFORM ${BUILD_IMAGE} AS build
ARG TARGETARCH
ARG TARGETVARIANT
ARG CA_CERTS=1
ARG RUN_TESTS=0
COPY tools/build-static.sh /src/tools/build-static.sh
# Docker's arm/v7 and arm/v5 are Debian's armhf and armel.
RUN case "$TARGETARCH/$TARGETVARIANT" in \
      arm/v7) echo armhf ;; arm/v5) echo armel ;; arm/*) echo "unsupported arm variant $TARGETVARIANT" >&2; exit 1 ;; \
      *) echo "$TARGETARCH" ;; \
    esac > /debian-arch && \
    TARGETARCH=$(cat /debian-arch) /src/tools/build-static.sh --install-deps && rm -rf /var/lib/apt/lists/*
COPY . /src
# /out: /coredns, the single binary that is also the translator when called as nat64
# (cap_net_bind_service,cap_net_admin+p), /nat64 a symbolic link to it, /etc/passwd, /etc/group.
# /out-nat64: the translator program alone (that image runs as root).
RUN set -eu; \
    flags=""; \
    [ "$CA_CERTS" = 1 ] && flags="$flags --ca-certs"; \
    [ "$RUN_TESTS" = 1 ] || flags="$flags --no-test"; \
    TARGETARCH=$(cat /debian-arch) BUILD_DIR=/tmp/build /src/tools/build-static.sh --out /out \
      --nat64-out /out-nat64 $flags; \
    rm -rf /tmp/build

# The Tayga-compatible translator on its own, like Tayga's images: needs NET_ADMIN and
# /dev/net/tun (docker run --cap-add NET_ADMIN --device /dev/net/tun -v ./tayga.conf:/etc/tayga.conf).
FROM scratch AS nat64
COPY --from=build /out-nat64/ /
WORKDIR /
ENTRYPOINT ["/nat64", "--nodetach", "--stdout"]

# The default image (last stage): /coredns as CoreDNS's image has it, plus /nat64 (the same
# binary) for the Corefile's nat64 directive, which starts it as a child (it gets CAP_NET_ADMIN
# from the file's permitted capabilities where the container was granted NET_ADMIN, and coredns
# itself drops it). COPY keeps the capability xattrs and the link.
FROM scratch AS coredns
COPY --from=build /out/ /
WORKDIR /
USER 65532:65532
EXPOSE 53 53/udp
ENTRYPOINT ["/coredns"]
