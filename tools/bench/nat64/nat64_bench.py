#!/usr/bin/python3
"""Translator benchmark: nat64 (1 and 2 workers) vs Debian's tayga vs plain IPv6 routing, in one run.

Three network namespaces (IPv6-only client, router, server) joined by veth pairs, the same
topology as plugins/nat64/translator/tests/e2e_test.py. For each mode the client runs iperf3
against the server: TCP with 1 and 4 streams in both directions, and a 64-byte UDP packet rate.

  nat64:w1       our translator on a TUN in the router namespace, `workers 1`
  nat64:w2       the same with `workers 2` (a multi-queue TUN, one thread per queue)
  nat64:w2:nooffload   ... with `offload no` (Tayga's framing, no GSO), for comparison
  tayga          /usr/sbin/tayga (Debian 0.9.2) with the equivalent tayga.conf
  routing        no translation: the server also has an IPv6 address (the ceiling)

Usage (as root, and on a shared machine under the benchmark lock):
  flock /tmp/bench.lock tools/bench/nat64/nat64_bench.py --nat64 build/plugins/nat64/translator/nat64 \
        [--time 5] [--reps 3] [--modes nat64:w1,nat64:w2,tayga,routing] [--nice N] [--json FILE]

Every figure is the median of --reps repetitions; the modes take turns within each repetition
so that a busy spell of the machine does not fall on one mode only. Ratios are taken within the
run. CPU per gigabit, over the TCP tests, in CPU-seconds per gigabit moved: the translator's
own (user and system time of all its threads, /proc/PID/stat; with tick-based accounting this
includes the softirq work done in its context, such as forwarding what it writes), and the whole
test's: the translator's plus both iperf3 processes' (the kernel's forwarding and TCP work runs
mostly in their context, as softirqs on the way out of their system calls). Both leave out
whatever else the machine runs, so they hold on a shared machine where throughput does not.

--nice N runs the translators and iperf3 at nice level N (e.g. -10), the same for every mode,
so that a busy machine does not starve them: without it the numbers mostly measure scheduling.

--perf DIR records a system-wide profile (perf record -a -g) of each mode in --perf-modes during
one TCP stream and during the 64-byte UDP flood, keeps the perf.data files in DIR and prints, for
the test's own processes, each one's share of the samples and the translator's (else iperf3's)
top symbols by self time (use --reps 0 for profiles only).

--profile adds measurements that do not depend on how busy the machine is, for nat64 and
tayga: user-space instructions per translated packet (valgrind's callgrind, start-up cost
subtracted; not for nat64 on io_uring, which valgrind cannot run: it holds its lock across
io_uring_enter) and system calls per translated packet (strace -c), for a paced stream of
64-byte UDP datagrams and for a 64-byte flood. Needs valgrind and strace.

Modes take options after the name: nat64:w2 (workers 2), :nooffload (offload no), :rw and
:uring (tun-io readwrite or uring; default auto), e.g. nat64:w1:rw for the read/write path.
Needs iperf3 and (for the tayga column) tayga installed. Namespaces and processes are removed
at the end, also on failure or Ctrl-C; every iperf3 run is bounded by --time.
"""
import argparse
import json
import os
import resource
import shutil
import signal
import statistics
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


def nat64_extra(mode):
    """tayga.conf lines for a nat64 mode such as nat64:w2 or nat64:w1:nooffload."""
    extra = ""
    for opt in mode.split(":")[1:]:
        if opt.startswith("w") and opt[1:].isdigit():
            extra += f"workers {opt[1:]}\n"
        elif opt == "nooffload":
            extra += "offload no\n"
        elif opt in ("rw", "uring"):
            extra += f"tun-io {'readwrite' if opt == 'rw' else 'uring'}\n"
        else:
            raise SystemExit(f"unknown nat64 option {opt!r} in mode {mode!r}")
    return extra


class Translator:
    def __init__(self, mode, binary, workdir):
        self.mode, self.binary = mode, binary
        nat64 = mode.startswith("nat64")
        self.tun = "n64b" if nat64 else "tayb"
        name = mode.replace(":", "-")
        self.conf = os.path.join(workdir, f"{name}.conf")
        data = os.path.join(workdir, f"{name}-data")
        os.makedirs(data, exist_ok=True)
        with open(self.conf, "w") as f:
            f.write(CONF.format(tun=self.tun, data=data) + (nat64_extra(mode) if nat64 else ""))
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


PORTS = iter(range(5300, 6300))


def iperf_server():
    """A one-off iperf3 server (-1) on a port of its own: no test waits for the previous one's
    server to become free ("the server is busy running a test")."""
    port = next(PORTS)
    p = subprocess.Popen(["ip", "netns", "exec", NS_S, *NICE, "iperf3", "-s", "-1", "-p", str(port)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while f":{port} " not in sh("ss", "-Hltn", ns=NS_S) and time.time() < deadline:
        time.sleep(0.05)
    return p, port


def iperf(dst, seconds, *extra):
    for attempt in range(3):
        server, port = iperf_server()
        try:
            out = sh(*NICE, "iperf3", "-J", "-c", dst, "-p", port, "-t", seconds, *extra, ns=NS_C,
                     timeout=int(seconds) + 60, check=False)
        finally:
            server.kill()
            server.wait()
        j = json.loads(out) if out.strip().startswith("{") else {"error": out}
        if "error" not in j:
            return j
        time.sleep(1)
    raise RuntimeError(f"iperf3 -c {dst} {' '.join(map(str, extra))}: {j['error']}")


def udp_stream(dst, pps, seconds):
    """Paced 64-byte UDP datagrams; returns the number the client sent."""
    j = iperf(dst, str(seconds), "-u", "-l", "64", "-b", str(pps * 64 * 8))
    return j["end"]["sum"]["packets"]


def strace_syscalls(t, workdir, name, traffic):
    """System calls the translator makes while `traffic()` runs (strace -c), and what it returns."""
    log = os.path.join(workdir, f"{name}.strace")
    st = subprocess.Popen(["strace", "-c", "-q", "-f", "-o", log, "-p", str(t.proc.pid)])
    time.sleep(1)
    n = traffic()
    st.send_signal(signal.SIGINT)
    st.wait(timeout=10)
    with open(log) as f:
        total_line = [line for line in f if line.strip().endswith("total")][-1]
    return int(total_line.split()[3]), n


def profile(mode, binary, workdir, packets=4000, pps=800):
    """User-space instructions and system calls per translated packet: for a paced stream, and
    system calls for a 64-byte flood (where the batched path batches)."""
    t = Translator(mode, binary, workdir)
    out = {"instructions": float("nan")}
    # callgrind: a run without traffic, then one with, so start-up and idle cost cancel out. Not
    # for the io_uring path: valgrind holds its lock across io_uring_enter, so a worker waiting
    # there stops every other thread (nat64 then cannot even stop).
    uses_uring = mode.startswith("nat64") and ":rw" not in mode
    irs = []
    for traffic in () if uses_uring else (False, True):
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
    if irs:
        out["instructions"] = (irs[1][0] - irs[0][0]) / irs[1][1]
    # strace -c attached while the same stream flows, then during a flood (-b 0).
    t.wrap = []
    t.start()
    calls, sent = strace_syscalls(t, workdir, mode, lambda: udp_stream(SERVER6_VIA_PREFIX, pps, packets // pps))
    out["syscalls"] = calls / sent

    def flood():
        s = iperf(SERVER6_VIA_PREFIX, "3", "-u", "-l", "64", "-b", "0")["end"]["sum"]
        return s["packets"] - s["lost_packets"]
    calls, received = strace_syscalls(t, workdir, f"{mode}-flood", flood)
    out["syscalls-flood"] = calls / received
    t.stop()
    return out


FLOOD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "udp_gso_flood.py")


def udp_gso(dst, seconds, reverse):
    """Gbit/s of 1,300-byte UDP datagrams sent with UDP GSO (udp_gso_flood.py), client to server
    or (reverse) server to client, counted by the receiver from its first datagram to its last."""
    port = next(PORTS)
    rx_ns, tx_ns = (NS_C, NS_S) if reverse else (NS_S, NS_C)
    rx_cmd = ["pull", dst, port, seconds] if reverse else ["sink", port]
    tx_cmd = ["push", port] if reverse else ["send", dst, port, seconds]
    first = subprocess.Popen(["ip", "netns", "exec", tx_ns if reverse else rx_ns, *NICE, "/usr/bin/python3", FLOOD,
                              *map(str, tx_cmd if reverse else rx_cmd)], stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout.readline().strip() == "ready"
        second = sh(*NICE, "/usr/bin/python3", FLOOD, *(rx_cmd if reverse else tx_cmd), ns=rx_ns if reverse else tx_ns,
                    timeout=int(float(seconds)) + 30)
        out = second if reverse else first.communicate(timeout=30)[0]
    finally:
        first.kill()
        first.wait()
    nbytes, secs = out.split()
    return int(nbytes) * 8 / float(secs) / 1e9 if float(secs) > 0 else 0.0


def children_seconds():
    """CPU-seconds of the child processes reaped so far (iperf3 client and servers)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measure(dst, seconds, translator=None):
    """One repetition of every test; CPU-seconds per Gbit over the TCP tests."""
    res = {}
    gbits = cpu_tr = cpu_all = 0.0
    for streams in (1, 4):
        for rev in (False, True):
            t0, c0 = (translator.cpu_seconds() if translator else 0.0), children_seconds()
            j = iperf(dst, seconds, "-P", streams, *(["-R"] if rev else []))
            tr = translator.cpu_seconds() - t0 if translator else 0.0
            cpu_tr += tr
            cpu_all += tr + children_seconds() - c0
            s = j["end"]["sum_received"]
            gbits += s["bytes"] * 8 / 1e9
            res[f"tcp{streams}{'-4to6' if rev else '-6to4'}"] = s["bits_per_second"] / 1e9
    res["cpu-translator"] = cpu_tr / gbits if translator and gbits else float("nan")
    res["cpu-test"] = cpu_all / gbits if gbits else float("nan")
    mpkts = cpu_tr = 0.0
    for rev in (False, True):
        t0 = translator.cpu_seconds() if translator else 0.0
        j = iperf(dst, seconds, "-u", "-l", "64", "-b", "0", *(["-R"] if rev else []))
        cpu_tr += translator.cpu_seconds() - t0 if translator else 0.0
        s = j["end"]["sum"]
        mpkts += (s["packets"] - s["lost_packets"]) / 1e6
        res[f"udp64{'-4to6' if rev else '-6to4'}"] = (s["packets"] - s["lost_packets"]) / s["seconds"] / 1e3
    res["cpu-translator-mpkt"] = cpu_tr / mpkts if translator and mpkts else float("nan")
    gbits = cpu_tr = 0.0
    for rev in (False, True):
        t0 = translator.cpu_seconds() if translator else 0.0
        rate = udp_gso(dst, seconds, rev)
        cpu_tr += translator.cpu_seconds() - t0 if translator else 0.0
        gbits += rate * float(seconds)
        res[f"gso1300{'-4to6' if rev else '-6to4'}"] = rate
    res["cpu-translator-gso"] = cpu_tr / gbits if translator and gbits else float("nan")
    return res


ROWS = [("tcp1-6to4", "TCP 1 stream, v6->v4 (Gbit/s)"), ("tcp1-4to6", "TCP 1 stream, v4->v6 (Gbit/s)"),
        ("tcp4-6to4", "TCP 4 streams, v6->v4 (Gbit/s)"), ("tcp4-4to6", "TCP 4 streams, v4->v6 (Gbit/s)"),
        ("udp64-6to4", "UDP 64 B, v6->v4 (kpps received)"), ("udp64-4to6", "UDP 64 B, v4->v6 (kpps received)"),
        ("gso1300-6to4", "UDP GSO 1300 B, v6->v4 (Gbit/s)"), ("gso1300-4to6", "UDP GSO 1300 B, v4->v6 (Gbit/s)"),
        ("cpu-translator", "translator CPU-s per Gbit (TCP)"), ("cpu-test", "whole test CPU-s per Gbit (TCP)"),
        ("cpu-translator-gso", "translator CPU-s per Gbit (UDP GSO)"),
        ("cpu-translator-mpkt", "translator CPU-s per Mpkt (UDP 64 B)")]


def perf_profiles(modes, args, workdir, outdir):
    """System-wide `perf record -g` while one TCP stream (v6->v4) and then a 64-byte UDP flood run,
    for each mode; prints the top symbols (self time) of each profile."""
    os.makedirs(outdir, exist_ok=True)
    tests = (("tcp1", ["-P", "1"]), ("udp64", ["-u", "-l", "64", "-b", "0"]))
    for mode in modes:
        t = None
        if mode != "routing":
            t = Translator(mode, binary_for(mode, args), workdir)
            t.start()
        dst = SERVER6_NATIVE if mode == "routing" else SERVER6_VIA_PREFIX
        try:
            for name, extra in tests:
                data = os.path.join(outdir, f"{mode.replace(':', '-')}-{name}.perf.data")
                server, port = iperf_server()
                client = subprocess.Popen(["ip", "netns", "exec", NS_C, *NICE, "iperf3", "-c", dst, "-p", str(port),
                                           "-t", "8", *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                try:
                    time.sleep(2)
                    sh("perf", "record", "-q", "-a", "-g", "-o", data, "--", "sleep", "4", timeout=60)
                    client.wait(timeout=30)
                finally:
                    client.kill()
                    server.kill()
                    server.wait()
                # Only the test's own processes (the machine may be running other work).
                comms = ["iperf3"] + ([os.path.basename(t.binary)] if t else [])
                print(f"--- perf {mode} {name} ({data}): share of the test's samples by process, then the "
                      f"top symbols (self time) of {comms[-1]}")
                for sort, extra in (("comm", []), ("sym", ["--comms", comms[-1]])):
                    report = sh("perf", "report", "-i", data, "--comms", ",".join(comms), *extra, "--no-children",
                                "--sort", sort, "--stdio", "--percentage", "relative", "--percent-limit", "1",
                                "-g", "none", timeout=300)
                    lines = [ln for ln in report.splitlines() if ln.strip() and not ln.startswith("#")]
                    print("\n".join(lines[:15]))
        finally:
            if t:
                t.stop()


def binary_for(mode, args):
    return os.path.abspath(args.nat64) if mode.startswith("nat64") else args.tayga


def median_results(reps):
    """{mode: {key: median over the repetitions}}."""
    out = {}
    for mode in reps[0]:
        out[mode] = {k: statistics.median(r[mode][k] for r in reps) for k in reps[0][mode]}
    return out


def print_table(results, modes, prof):
    nat64s = [m for m in modes if m.startswith("nat64")]
    ratios = [f"{n}/{b}" for n in nat64s for b in ("tayga", "routing") if b in modes]
    cols = modes + ratios
    width = max([15] + [len(c) + 2 for c in cols])
    print(f"{'':34}" + "".join(f"{c:>{width}}" for c in cols))
    for key, label in ROWS:
        line = f"{label:34}"
        for c in cols:
            if "/" in c:
                a, b = c.split("/")
                va, vb = results[a][key], results[b][key]
                ok = vb == vb and vb and va == va  # not NaN, not zero
                line += f"{va / vb:>{width - 1}.2f}x" if ok else f"{'':>{width}}"
            else:
                v = results[c][key]
                line += f"{v:>{width}.2f}" if v == v else f"{'-':>{width}}"
        print(line)
    for key, label in (("instructions", "user instructions per packet"), ("syscalls", "system calls per packet"),
                       ("syscalls-flood", "system calls per packet, flood")):
        if not prof:
            break
        line = f"{label:34}"
        for c in cols:
            if c in prof:
                line += f"{prof[c][key]:>{width}.2f}"
            elif "/" in c and c.split("/")[0] in prof and c.split("/")[1] in prof:
                a, b = c.split("/")
                line += f"{prof[a][key] / prof[b][key]:>{width - 1}.2f}x"
            else:
                line += f"{'':>{width}}"
        print(line)


def interrupted(signum, frame):
    # SIGTERM (e.g. a timeout around the run) cleans up as Ctrl-C does.
    raise KeyboardInterrupt()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nat64", required=True, help="path to the nat64 binary")
    ap.add_argument("--tayga", default="/usr/sbin/tayga")
    ap.add_argument("--time", default="5", help="seconds per iperf3 run")
    ap.add_argument("--reps", type=int, default=3, help="repetitions (the table shows medians)")
    ap.add_argument("--modes", default="nat64:w1,nat64:w2,tayga,routing")
    ap.add_argument("--nice", type=int, default=None, help="nice level for translators and iperf3")
    ap.add_argument("--json", help="also write every repetition's figures to this file")
    ap.add_argument("--profile", action="store_true", help="also count instructions and syscalls per packet")
    ap.add_argument("--perf", metavar="DIR", help="also record system-wide perf profiles (perf.data kept in DIR)")
    ap.add_argument("--perf-modes", default=None, help="modes to profile with --perf (default: --modes)")
    args = ap.parse_args()
    if args.nice is not None:
        NICE.extend(["nice", "-n", str(args.nice)])
    if os.geteuid() != 0:
        sys.exit("needs root (network namespaces)")
    modes = args.modes.split(",")
    for m in modes:
        if m.startswith("nat64"):
            nat64_extra(m)  # an unknown option fails before any namespace exists
        elif m not in ("tayga", "routing"):
            sys.exit(f"unknown mode {m!r}")
    if "tayga" in modes and not os.access(args.tayga, os.X_OK):
        print(f"{args.tayga} not found: skipping the tayga column", file=sys.stderr)
        modes.remove("tayga")
    workdir = tempfile.mkdtemp(prefix="nat64-bench-")
    reps, prof = [], {}
    signal.signal(signal.SIGTERM, interrupted)
    try:
        cleanup()
        setup()
        for rep in range(args.reps):
            results = {}
            for mode in modes:
                print(f"repetition {rep + 1}/{args.reps}: {mode} ...", file=sys.stderr, flush=True)
                if mode == "routing":
                    results[mode] = measure(SERVER6_NATIVE, args.time)
                    continue
                t = Translator(mode, binary_for(mode, args), workdir)
                t.start()
                try:
                    results[mode] = measure(SERVER6_VIA_PREFIX, args.time, t)
                finally:
                    t.stop()
            reps.append(results)
        if args.perf:
            perf_profiles(args.perf_modes.split(",") if args.perf_modes else modes, args, workdir, args.perf)
        if args.profile:
            for mode in [m for m in modes if m != "routing"]:
                print(f"profiling {mode} ...", file=sys.stderr, flush=True)
                prof[mode] = profile(mode, binary_for(mode, args), workdir)
    finally:
        cleanup()
        if os.environ.get("NAT64_BENCH_KEEP"):
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"modes": modes, "repetitions": reps, "profile": prof}, f, indent=1)
    if reps:
        print(f"medians of {len(reps)} repetition(s), {args.time} s per iperf3 run")
        print_table(median_results(reps), modes, prof)
    else:
        for mode, p in prof.items():
            print(f"{mode}: {p['instructions']:.1f} user instructions and {p['syscalls']:.2f} system calls per packet "
                  f"(paced), {p['syscalls-flood']:.2f} (64-byte flood)")


if __name__ == "__main__":
    main()
