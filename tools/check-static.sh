#!/bin/sh
# Checks a rootfs that tools/build-static.sh --out made: both programs statically linked, and
# coredns running from an otherwise empty directory (a chroot when root, else `env -i` in an
# empty temp dir), answering whoami on a high port.
#
#   tools/check-static.sh [ROOTFS] [PORT]     default: build-static-<host arch>/rootfs, port 15353
#
# A foreign rootfs runs under qemu-user (qemu-aarch64-static, qemu-arm-static; copied into the
# chroot), an armel one on an ARMv5TE core (-cpu arm926).
# Needs dig (dnsutils) for the query. Prints "check-static: ok" and exits 0 when all is well.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROOTFS=${1:-$ROOT/build-static-$(dpkg --print-architecture)/rootfs}
PORT=${2:-15353}
fail() { echo "check-static: FAILED: $*" >&2; exit 1; }
[ -x "$ROOTFS/coredns" ] || fail "$ROOTFS/coredns missing (tools/build-static.sh --out $ROOTFS)"

for p in coredns nat64; do
  [ -f "$ROOTFS/$p" ] || continue
  file "$ROOTFS/$p"
  # -L: /nat64 is a link to /coredns in the default image, the program itself in nat64's.
  file -L "$ROOTFS/$p" | grep -q 'statically linked' || fail "$p is not statically linked"
  if ldd "$ROOTFS/$p" >/dev/null 2>&1; then fail "ldd finds shared libraries in $p"; fi
  echo "$p: ldd: $(ldd "$ROOTFS/$p" 2>&1 | head -n 1)"
  [ -L "$ROOTFS/$p" ] || { command -v getcap >/dev/null && echo "$p: capabilities: $(getcap "$ROOTFS/$p")"; }
done

EMU=""
EMU_CPU=""
case "$(file "$ROOTFS/coredns")" in
  *aarch64*) [ "$(uname -m)" = aarch64 ] || EMU=qemu-aarch64-static ;;
  *x86-64*) [ "$(uname -m)" = x86_64 ] || EMU=qemu-x86_64-static ;;
  *", ARM, "*)
    case "$(uname -m)" in armv*) ;; *) EMU=qemu-arm-static ;; esac
    # armhf passes floating point in VFP registers; armel (soft float) runs on an ARMv5TE core,
    # as on the routers that need it. (Tag_CPU_arch says v7 for armel too: libatomic carries
    # ARMv7 variants that it selects at start-up only on a CPU that has them.)
    if readelf -A "$ROOTFS/coredns" 2>/dev/null | grep -q 'Tag_ABI_VFP_args: VFP registers'; then
      EMU_CPU="-cpu cortex-a7"
    else
      EMU_CPU="-cpu arm926"
    fi ;;
esac
if [ -n "$EMU" ]; then
  command -v "$EMU" >/dev/null || fail "$EMU needed to run a foreign binary"
  EMU=$(command -v "$EMU")
fi

WORK=$(mktemp -d)
PID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# An empty directory holding only the binary (and the emulator, for a foreign binary).
cp "$ROOTFS/coredns" "$WORK/coredns"
run="$WORK/coredns"
if [ "$(id -u)" = 0 ] && command -v chroot >/dev/null; then
  mode="empty chroot"
  # shellcheck disable=SC2086
  if [ -n "$EMU" ]; then cp "$EMU" "$WORK/emu"; set -- chroot "$WORK" /emu $EMU_CPU /coredns; else set -- chroot "$WORK" /coredns; fi
else
  mode="env -i in an empty dir"
  # shellcheck disable=SC2086
  if [ -n "$EMU" ]; then set -- env -i "$EMU" $EMU_CPU "$run"; else set -- env -i "$run"; fi
fi
echo "running in an $mode: $(cd "$WORK" && echo *)"
(cd "$WORK" && "$@" -version) || fail "coredns -version"

# No Corefile in the empty dir: coredns serves its default whoami on -dns.port.
(cd "$WORK" && exec "$@" -dns.port "$PORT") > "$WORK.log" 2>&1 &
PID=$!
command -v dig >/dev/null || fail "dig missing (apt-get install dnsutils)"
i=0
answer=""
while [ $i -lt 50 ]; do
  # whoami answers in the additional section: the client's address and port.
  answer=$(dig @127.0.0.1 -p "$PORT" +time=1 +tries=1 +noall +additional whoami.example. A 2>/dev/null |
    grep '^whoami\.example\.' || true)
  [ -n "$answer" ] && break
  i=$((i + 1))
  sleep 0.2
done
head -n 5 "$WORK.log"; rm -f "$WORK.log"
[ -n "$answer" ] || fail "no answer from coredns on 127.0.0.1:$PORT"
echo "udp: $answer"
echo "tcp: $(dig @127.0.0.1 -p "$PORT" +tcp +noall +additional whoami.example. A)"
echo "check-static: ok ($mode)"
