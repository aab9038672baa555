#!/usr/bin/python3
"""Translator benchmark: nat64 vs Debian's tayga vs plain IPv6 routing, in one run.

Three network namespaces (IPv6-only client, router, server) joined by veth pairs, the same
topology as plugins/nat64/translator/tests/e2e_test.py. For each mode the client runs iperf3
against the server: TCP with 1 and 4 streams in both directions, and a 64-byte UDP packet rate.

  nat64    our translator on a TUN in the router namespace
  tayga    /usr/sbin/tayga (Debian 0.9.2) with the equivalent tayga.conf
  routing  no translation: the server also has an IPv6 address (the ceiling)

Usage (as root): tools/bench/nat64/nat64_bench.py --nat64 build/plugins/nat64/translator/nat64
                 [--time 5] [--modes nat64,tayga,routing] [--nice N]

--nice N runs the translators and iperf3 at nice level N (e.g. -10), the same for every mode,
so that a busy machine does not starve them: without it the numbers mostly measure scheduling.

--profile adds two measurements that do not depend on how busy the machine is, for nat64 and
tayga: user-space instructions per translated packet (valgrind's callgrind, start-up cost
subtracted) and system calls per translated packet (strace -c), for a paced stream of 64-byte
UDP datagrams. Needs valgrind and strace.
Needs iperf3 and (for the tayga column) tayga installed.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TAG = f"{os.getpid() % 100000}"
NS_C, NS_R, NS_S = f"b64c{TAG}", f"b64r{TAG}", f"b64s{TAG}"
SERVER6_VIA_PREFIX = "2001:db8:64::a63:2"   # 10.99.0.2 under the NAT64 prefix
SERVER6_NATIVE = "2001:db8:2::2"
CONF = """tun-device {tun}
ipv4-addr 10.98.0.1
prefix 2001:db8:64::/96
dynamic-pool 10.98.0.0/24
data-dir {data}
"""


NICE = []


def sh(*cmd, ns=None, check=True, timeout=120):
    full = (["ip", "netns", "exec", ns] if ns else []) + [str(c) for c in cmd]
    r = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(full)}: {r.stdout}{r.stderr}")
    return r.stdout


def setup():
    for ns in (NS_C, NS_R, NS_S):
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "set", "lo", "up", ns=ns)
    sh("ip", "link", "add", "c0", "netns", NS_C, "type", "veth", "peer", "r0", "netns", NS_R)
    sh("ip", "link", "add", "s0", "netns", NS_S, "type", "veth", "peer", "r1", "netns", NS_R)
    sh("ip", "addr", "add", "2001:db8:1::2/64", "dev", "c0", "nodad", ns=NS_C)
    sh("ip", "link", "set", "c0", "up", ns=NS_C)
    sh("ip", "-6", "route", "add", "default", "via", "2001:db8:1::1", ns=NS_C)
    sh("ip", "addr", "add", "2001:db8:1::1/64", "dev", "r0", "nodad", ns=NS_R)
    sh("ip", "addr", "add", "10.99.0.1/24", "dev", "r1", ns=NS_R)
    sh("ip", "addr", "add", "2001:db8:2::1/64", "dev", "r1", "nodad", ns=NS_R)
    for dev in ("r0", "r1"):
        sh("ip", "link", "set", dev, "up", ns=NS_R)
    sh("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1", "net.ipv4.ip_forward=1", ns=NS_R)
    sh("ip", "addr", "add", "10.99.0.2/24", "dev", "s0", ns=NS_S)
    sh("ip", "addr", "add", f"{SERVER6_NATIVE}/64", "dev", "s0", "nodad", ns=NS_S)
    sh("ip", "link", "set", "s0", "up", ns=NS_S)
    sh("ip", "route", "add", "default", "via", "10.99.0.1", ns=NS_S)
    sh("ip", "-6", "route", "add", "default", "via", "2001:db8:2::1", ns=NS_S)


def cleanup():
    for ns in (NS_C, NS_R, NS_S):
        pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


class Translator:
    def __init__(self, mode, binary, workdir):
        self.mode, self.binary = mode, binary
        self.tun = "n64b" if mode == "nat64" else "tayb"
        self.conf = os.path.join(workdir, f"{mode}.conf")
        data = os.path.join(workdir, f"{mode}-data")
        os.makedirs(data, exist_ok=True)
        with open(self.conf, "w") as f:
            f.write(CONF.format(tun=self.tun, data=data))
        self.proc = None
        self.wrap = []

    def start(self, settle=1):
        sh(self.binary, "--mktun", "-c", self.conf, ns=NS_R)
        sh("ip", "link", "set", self.tun, "up", ns=NS_R)
        sh("ip", "-6", "route", "replace", "2001:db8:64::/96", "dev", self.tun, ns=NS_R)
        sh("ip", "route", "replace", "10.98.0.0/16", "dev", self.tun, ns=NS_R)
        self.proc = subprocess.Popen(["ip", "netns", "exec", NS_R, *NICE, *self.wrap, self.binary, "-d", "-c",
                                      self.conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(settle)
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.mode} exited with {self.proc.returncode}")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        sh("ip", "-6", "route", "del", "2001:db8:64::/96", ns=NS_R, check=False)
        sh("ip", "route", "del", "10.98.0.0/16", ns=NS_R, check=False)
        sh(self.binary, "--rmtun", "-c", self.conf, ns=NS_R, check=False)

    def cpu_seconds(self):
        # `ip netns exec` (and nice) exec the translator: same pid.
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def iperf(dst, seconds, *extra):
    # The server runs one test at a time and may still be closing the previous one: retry.
    for attempt in range(5):
        out = sh(*NICE, "iperf3", "-J", "-c", dst, "-t", seconds, *extra, ns=NS_C, timeout=int(seconds) + 60,
                 check=False)
        j = json.loads(out) if out.strip().startswith("{") else {"error": out}
        if "error" not in j:
            return j
        time.sleep(1)
    raise RuntimeError(f"iperf3 -c {dst} {' '.join(map(str, extra))}: {j['error']}")


def udp_stream(dst, pps, seconds):
    """Paced 64-byte UDP datagrams; returns the number the client sent."""
    j = iperf(dst, str(seconds), "-u", "-l", "64", "-b", str(pps * 64 * 8))
    return j["end"]["sum"]["packets"]


def profile(mode, binary, workdir, packets=4000, pps=800):
    """User-space instructions and system calls per translated packet."""
    t = Translator(mode, binary, workdir)
    out = {}
    # callgrind: a run without traffic, then one with, so start-up and idle cost cancel out.
    irs = []
    for traffic in (False, True):
        cg = os.path.join(workdir, f"{mode}-{traffic}.callgrind")
        t.wrap = ["valgrind", "-q", "--tool=callgrind", f"--callgrind-out-file={cg}"]
        t.start(settle=4)
        sent = udp_stream(SERVER6_VIA_PREFIX, pps, packets // pps) if traffic else 0
        if not traffic:
            time.sleep(packets // pps)
        t.stop()
        with open(cg) as f:
            total = next(int(line.split()[1]) for line in f if line.startswith(("summary:", "totals:")))
        irs.append((total, sent))
    out["instructions"] = (irs[1][0] - irs[0][0]) / irs[1][1]
    # strace -c attached while the same stream flows.
    t.wrap = []
    t.start()
    log = os.path.join(workdir, f"{mode}.strace")
    st = subprocess.Popen(["strace", "-c", "-q", "-f", "-o", log, "-p", str(t.proc.pid)])
    time.sleep(1)
    sent = udp_stream(SERVER6_VIA_PREFIX, pps, packets // pps)
    st.send_signal(signal.SIGINT)
    st.wait(timeout=10)
    t.stop()
    with open(log) as f:
        total_line = [line for line in f if line.strip().endswith("total")][-1]
    out["syscalls"] = int(total_line.split()[3]) / sent
    return out


def measure(dst, seconds):
    res = {}
    for streams in (1, 4):
        for rev in (False, True):
            j = iperf(dst, seconds, "-P", streams, *(["-R"] if rev else []))
            res[f"tcp{streams}{'-4to6' if rev else '-6to4'}"] = j["end"]["sum_received"]["bits_per_second"] / 1e9
    for rev in (False, True):
        j = iperf(dst, seconds, "-u", "-l", "64", "-b", "0", *(["-R"] if rev else []))
        s = j["end"]["sum"]
        res[f"udp64{'-4to6' if rev else '-6to4'}"] = (s["packets"] - s["lost_packets"]) / s["seconds"] / 1e3
    return res


ROWS = [("tcp1-6to4", "TCP 1 stream, v6->v4 (Gbit/s)"), ("tcp1-4to6", "TCP 1 stream, v4->v6 (Gbit/s)"),
        ("tcp4-6to4", "TCP 4 streams, v6->v4 (Gbit/s)"), ("tcp4-4to6", "TCP 4 streams, v4->v6 (Gbit/s)"),
        ("udp64-6to4", "UDP 64 B, v6->v4 (kpps received)"), ("udp64-4to6", "UDP 64 B, v4->v6 (kpps received)")]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nat64", required=True, help="path to the nat64 binary")
    ap.add_argument("--tayga", default="/usr/sbin/tayga")
    ap.add_argument("--time", default="5", help="seconds per iperf3 run")
    ap.add_argument("--modes", default="nat64,tayga,routing")
    ap.add_argument("--nice", type=int, default=None, help="nice level for translators and iperf3")
    ap.add_argument("--profile", action="store_true", help="also count instructions and syscalls per packet")
    args = ap.parse_args()
    if args.nice is not None:
        NICE.extend(["nice", "-n", str(args.nice)])
    if os.geteuid() != 0:
        sys.exit("needs root (network namespaces)")
    modes = args.modes.split(",")
    if "tayga" in modes and not os.access(args.tayga, os.X_OK):
        print(f"{args.tayga} not found: skipping the tayga column", file=sys.stderr)
        modes.remove("tayga")
    workdir = tempfile.mkdtemp(prefix="nat64-bench-")
    results, cpu, prof = {}, {}, {}
    try:
        cleanup()
        setup()
        server = subprocess.Popen(["ip", "netns", "exec", NS_S, *NICE, "iperf3", "-s"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        for mode in modes:
            print(f"running {mode} ...", file=sys.stderr, flush=True)
            if mode == "routing":
                results[mode] = measure(SERVER6_NATIVE, args.time)
                continue
            t = Translator(mode, os.path.abspath(args.nat64) if mode == "nat64" else args.tayga, workdir)
            t.start()
            try:
                c0 = t.cpu_seconds()
                w0 = time.time()
                results[mode] = measure(SERVER6_VIA_PREFIX, args.time)
                cpu[mode] = (t.cpu_seconds() - c0) / (time.time() - w0)
            finally:
                t.stop()
        if args.profile:
            for mode in [m for m in modes if m != "routing"]:
                print(f"profiling {mode} ...", file=sys.stderr, flush=True)
                prof[mode] = profile(mode, os.path.abspath(args.nat64) if mode == "nat64" else args.tayga, workdir)
        server.kill()
    finally:
        cleanup()
        if os.environ.get("NAT64_BENCH_KEEP"):
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    cols = modes + [c for c in ("nat64/tayga", "nat64/routing") if "nat64" in modes and c.split("/")[1] in modes]
    print(f"{'':36}" + "".join(f"{c:>15}" for c in cols))
    for key, label in ROWS:
        line = f"{label:36}"
        for c in cols:
            if "/" in c:
                a, b = c.split("/")
                v = results[a][key] / results[b][key] if results[b][key] else float("nan")
                line += f"{v:>14.2f}x"
            else:
                line += f"{results[c][key]:>15.2f}"
        print(line)
    if cpu:
        print(f"{'translator CPU (cores, whole run)':36}" + "".join(f"{cpu.get(c, float('nan')):>15.2f}" if c in cpu
                                                                     else f"{'':>15}" for c in cols))
    for key, label in (("instructions", "user instructions per packet"), ("syscalls", "system calls per packet")):
        if not prof:
            break
        line = f"{label:36}"
        for c in cols:
            if c in prof:
                line += f"{prof[c][key]:>15.1f}"
            elif c == "nat64/tayga" and "nat64" in prof and "tayga" in prof:
                line += f"{prof['nat64'][key] / prof['tayga'][key]:>14.2f}x"
            else:
                line += f"{'':>15}"
        print(line)


if __name__ == "__main__":
    main()
