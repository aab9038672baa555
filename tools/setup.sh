#!/usr/bin/env bash
# Installs what building and testing coredns-cpp needs, from Debian's packages. Idempotent:
# packages already installed are left alone.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config libuv1-dev libc-ares-dev libfmt-dev nlohmann-json3-dev catch2
  libhttp-parser-dev libre2-dev libmbedtls-dev
  # the nat64 translator's batched TUN path (io_uring; without it, read/write only)
  liburing-dev
  # the static image build and its checks (tools/build-static.sh, tools/check-static.sh)
  file
  # tests: real clients and real upstream servers
  python3 python3-pytest python3-dnspython python3-scapy python3-yaml dnsutils knot-dnsutils nsd unbound
  stunnel4
  dnsperf curl iproute2 iputils-ping iperf3 tayga libcap2-bin procps systemd
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian starts nsd and unbound as services when it can; the tests run their own instances.
for svc in nsd unbound; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
done
