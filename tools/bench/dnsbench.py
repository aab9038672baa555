#!/usr/bin/python3
"""DNS benchmarks: coredns-cpp against a peer (unbound) measured in the same run.

    tools/bench/dnsbench.py WORKLOAD [--seconds 10] [--workers 1,2] [--rate 10000] [--repeat 3]

Other engineers benchmark on the same machine: run it under `flock /tmp/bench.lock` so that
runs never overlap. Worker threads: COREDNS_WORKERS for coredns, num-threads for unbound.

For each worker count it starts coredns and unbound with the same number of threads, runs
dnsperf with the same client settings against each in turn, and reports QPS, server CPU
microseconds per query (user+system time of the server process over the run, divided by the
queries answered), p99 latency at a fixed rate, and RSS. Workloads are registered in WORKLOADS;
each describes the coredns Corefile, the unbound config, the query file and any upstream.

CPU per query is the figure to compare: on a 2-core machine dnsperf competes with the server for
CPU, so QPS says as much about the client as about the server.
"""
import argparse
import os
import resource
import re
import subprocess
import sys
import statistics
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "e2e"))

from harness import CoreDNS, Nsd, Unbound, compiled_plugins, free_port, zone_file  # noqa: E402
from harness.process import rss_kib  # noqa: E402
from harness.tls_certs import standard_set  # noqa: E402
from harness.http_client import curl  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
# nsd limits answers to 200 a second per client /24 by default (response rate limiting): a miss
# workload would measure that limit, not the resolvers. Turned off for every upstream here.
NSD_NO_RRL = "server:\n  rrl-ratelimit: 0\n  rrl-whitelist-ratelimit: 0"


def cpu_seconds(pid):
    """(user, system) CPU seconds of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK


def tree_cpu_seconds(pid):
    """User + system CPU seconds of a process and its live descendants (nsd forks its server
    and xfrd processes)."""
    parents = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    parents[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += sum(cpu_seconds(p))
        except OSError:
            continue
        todo += [c for c, pp in parents.items() if pp == p]
    return total


def dnsperf(port, qfile, seconds, rate=None, clients=20, outstanding=200):
    cmd = ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", qfile, "-l", str(seconds),
           "-c", str(clients), "-q", str(outstanding), "-t", "2", "-T", "1"]
    if rate:
        cmd += ["-Q", str(rate)]
    if rate:
        cmd += ["-v"]  # per-query latencies for the percentile
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    completed = int(re.search(r"Queries completed:\s+(\d+)", out).group(1))
    lost = int(re.search(r"Queries lost:\s+(\d+)", out).group(1))
    qps = float(re.search(r"Queries per second:\s+([\d.]+)", out).group(1))
    p99 = None
    if rate:
        lat = sorted(float(m) for m in re.findall(r"^> \S+ .* ([\d.]+)$", out, re.M))
        if lat:
            p99 = lat[int(len(lat) * 0.99) - 1] * 1000.0
    return {"completed": completed, "lost": lost, "qps": qps, "p99_ms": p99,
            "client_cpu_s": client_cpu}


def measure(pid, port, qfile, seconds, rate, warmup=True, rate_qfile=None, upstream_pid=None):
    if warmup:
        dnsperf(port, qfile, 1)  # warm-up: caches, connections, page faults
    peak = [rss_kib(pid)]
    done = threading.Event()

    def sample():  # RSS under load: the peak of a sample every 100 ms during the run
        while not done.wait(0.1):
            peak.append(rss_kib(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    u0, s0 = cpu_seconds(pid)
    up0 = tree_cpu_seconds(upstream_pid) if upstream_pid else 0.0
    r = dnsperf(port, qfile, seconds)
    u1, s1 = cpu_seconds(pid)
    up1 = tree_cpu_seconds(upstream_pid) if upstream_pid else 0.0
    done.set()
    sampler.join()
    n = max(r["completed"], 1)
    r["user_us_per_query"] = (u1 - u0) * 1e6 / n
    r["sys_us_per_query"] = (s1 - s0) * 1e6 / n
    r["cpu_us_per_query"] = r["user_us_per_query"] + r["sys_us_per_query"]
    # What the rest of the chain spent: on 2 cores the server's QPS is bounded by the CPU that
    # the client, the upstream and the server together need per query.
    r["client_us_per_query"] = r["client_cpu_s"] * 1e6 / n
    r["upstream_us_per_query"] = (up1 - up0) * 1e6 / n
    r["rss_kib"] = max(peak + [rss_kib(pid)])
    if rate:
        r["p99_ms"] = dnsperf(port, rate_qfile or qfile, min(seconds, 5), rate=rate)["p99_ms"]
    return r


# ---- workloads ---------------------------------------------------------------------------

def whoami_workload(tmp):
    """coredns answers with whoami; unbound answers the same name from local-data."""
    qfile = os.path.join(tmp, "whoami.txt")
    with open(qfile, "w") as f:
        f.write("bench.example. A\n")
    corefile = ".:{port} {\n    whoami\n}\n"
    unbound = ('  local-zone: "example." static\n'
               '  local-data: "bench.example. 0 IN A 127.0.0.1"\n')
    return {"corefile": corefile, "unbound": unbound, "qfile": qfile, "upstream": None}


def dns64_workload(tmp, names, rate_names=None, translate_all=False):
    """AAAA queries for A-only names, synthesized under 64:ff9b::/96. coredns runs dns64, cache
    and forward; unbound runs `module-config: "dns64 iterator"`; both forward to the same nsd,
    which answers every name under bench. with an A record (a wildcard) and AAAA with NODATA.
    dnsperf queries over IPv4, hence allow_ipv4 (unbound's dns64 serves every client).
    `translate_all`: coredns's `translate_all` and unbound's `dns64-synthall: yes`, so the A
    answer decides and no AAAA is asked."""
    records = ["* 3600 IN A 93.184.216.34"]
    nsd = Nsd({"bench.": zone_file("bench", records, ttl=3600, soa_minimum=3600)}, ipv6=False, extra_config=NSD_NO_RRL)
    nsd.start()
    qfile = os.path.join(tmp, "dns64.txt")
    with open(qfile, "w") as f:
        f.writelines(f"{n}.bench. AAAA\n" for n in names)
    rate_qfile = None
    if rate_names:
        rate_qfile = os.path.join(tmp, "dns64-rate.txt")
        with open(rate_qfile, "w") as f:
            f.writelines(f"{n}.bench. AAAA\n" for n in rate_names)
    cache = "    cache\n" if "cache" in compiled_plugins() else ""
    policy = "        translate_all\n" if translate_all else ""
    corefile = (".:{port} {\n    dns64 {\n        allow_ipv4\n" + policy + "    }\n" + cache +
                f"    forward . 127.0.0.1:{nsd.port}\n}}\n")
    unbound = ('  module-config: "dns64 iterator"\n'
               "  dns64-prefix: 64:ff9b::/96\n"
               + ("  dns64-synthall: yes\n" if translate_all else "") +
               "  msg-cache-size: 64m\n  rrset-cache-size: 128m\n"
               'forward-zone:\n  name: "bench."\n'
               f"  forward-addr: 127.0.0.1@{nsd.port}\n")
    return {"corefile": corefile, "unbound": unbound, "qfile": qfile, "upstream": nsd,
            "rate_qfile": rate_qfile, "warmup": rate_names is None}


def dns64_hits_workload(tmp):
    """AAAA over 1000 hot A-only names: after the warm-up, every answer comes from the caches."""
    return dns64_workload(tmp, (f"hot{i}" for i in range(1000)))


def dns64_hits_translate_all_workload(tmp):
    """dns64-hits with translate_all: each hit is the A side alone."""
    return dns64_workload(tmp, (f"hot{i}" for i in range(1000)), translate_all=True)


def dns64_misses_workload(tmp):
    """AAAA over names never asked before: each one costs the upstream AAAA and A queries. No
    warm-up (it would turn the first names into hits), and the p99 run has names of its own."""
    return dns64_workload(tmp, (f"miss{i}" for i in range(3_000_000)),
                          (f"rate{i}" for i in range(1_000_000)))


def cache_workload(tmp, names, rate_names=None):
    """A queries answered by an nsd wildcard; coredns runs `cache` and `forward`, unbound forwards
    (forward-zone) to the same nsd with its caches."""
    nsd = Nsd({"bench.": zone_file("bench", ["* 3600 IN A 93.184.216.34"], ttl=3600,
                                   soa_minimum=3600)}, ipv6=False, extra_config=NSD_NO_RRL)
    nsd.start()
    qfile = os.path.join(tmp, "cache.txt")
    with open(qfile, "w") as f:
        f.writelines(f"{n}.bench. A\n" for n in names)
    rate_qfile = None
    if rate_names:
        rate_qfile = os.path.join(tmp, "cache-rate.txt")
        with open(rate_qfile, "w") as f:
            f.writelines(f"{n}.bench. A\n" for n in rate_names)
    corefile = f".:{{port}} {{\n    cache\n    forward . 127.0.0.1:{nsd.port}\n}}\n"
    unbound = ("  msg-cache-size: 64m\n  rrset-cache-size: 128m\n"
               'forward-zone:\n  name: "bench."\n'
               f"  forward-addr: 127.0.0.1@{nsd.port}\n")
    return {"corefile": corefile, "unbound": unbound, "qfile": qfile, "upstream": nsd,
            "rate_qfile": rate_qfile, "warmup": rate_names is None}


def cache_hits_workload(tmp):
    """A over 1000 hot names: after the warm-up, every answer is a cache hit."""
    return cache_workload(tmp, (f"hot{i}" for i in range(1000)))


def cache_misses_workload(tmp):
    """A over names never asked before (the wildcard makes them exist): every query is a miss
    that goes to nsd. No warm-up, and the p99 run has names of its own."""
    return cache_workload(tmp, (f"miss{i}" for i in range(3_000_000)),
                          (f"rate{i}" for i in range(1_000_000)))


def tls_misses_workload(tmp):
    """Cache misses forwarded over DNS over TLS (RFC 7858). Names never asked before, so every
    query crosses TLS. coredns runs `cache` and `forward . tls://`; unbound forwards with
    `forward-tls-upstream: yes`; both to the very same DoT upstream, verifying the same name
    against the same CA. coredns also reports the handshakes it made
    (coredns_forward_tls_handshakes_total) per 10,000 queries forwarded.

    The upstream is a coredns `tls://bench.` block (one worker, its own certificate from a test
    CA) whose `template` answers every name under bench. itself: no further hop and no cache, so
    that the upstream is not what caps the forwarders (about 7 us of CPU per query; it is the
    coredns binary under test, started once and used by both; its CPU is not counted). An unbound with tls-service in front of
    nsd (the first setup) is single-threaded and makes a second hop per miss: it capped both
    forwarders at 6-12k QPS and hid any difference between them (docs/benchmarks.md)."""
    certs = os.path.join(tmp, "certs")
    standard_set(certs)
    ca = os.path.join(certs, "ca.pem")
    tls_port = free_port()
    # The dns:// block only lets the harness see the upstream up (it probes UDP).
    dot = CoreDNS(f"tls://bench.:{tls_port} {{\n    tls {certs}/server.pem {certs}/server.key\n"
                  "    template IN A bench {\n"
                  '        answer "{{ .Name }} 3600 IN A 93.184.216.34"\n'
                  "    }\n}\n.:{port} {\n    whoami\n}\n", args=["-quiet"],
                  env={"COREDNS_WORKERS": "1"})
    dot.start()
    qfile = os.path.join(tmp, "tls.txt")
    with open(qfile, "w") as f:
        f.writelines(f"miss{i}.bench. A\n" for i in range(3_000_000))
    rate_qfile = os.path.join(tmp, "tls-rate.txt")
    with open(rate_qfile, "w") as f:
        f.writelines(f"rate{i}.bench. A\n" for i in range(1_000_000))
    mport = free_port()
    corefile = (f".:{{port}} {{\n    prometheus 127.0.0.1:{mport}\n    cache\n"
                f"    forward . tls://127.0.0.1:{tls_port} {{\n        tls {ca}\n"
                f"        tls_servername dns.test\n    }}\n}}\n")
    unbound = (f"  tls-cert-bundle: {ca}\n  msg-cache-size: 64m\n  rrset-cache-size: 128m\n"
               'forward-zone:\n  name: "bench."\n'
               f"  forward-addr: 127.0.0.1@{tls_port}#dns.test\n  forward-tls-upstream: yes\n")
    return {"corefile": corefile, "unbound": unbound, "qfile": qfile, "upstream": dot,
            "rate_qfile": rate_qfile, "warmup": False, "metrics_port": mport}


def tls_handshakes(mport):
    """(handshakes made, queries forwarded) over TLS, from coredns's metrics."""
    hs = sent = 0
    for line in curl(f"http://127.0.0.1:{mport}/metrics").body.splitlines():
        v = line.rsplit(" ", 1)[-1]
        if line.startswith("coredns_forward_tls_handshakes_total{") and 'result="failed"' not in line:
            hs += float(v)
        elif line.startswith("coredns_proxy_conn_cache_") and 'proto="tcp-tls"' in line:
            sent += float(v)
    return hs, sent


WORKLOADS = {"whoami": whoami_workload, "dns64-hits": dns64_hits_workload,
             "dns64-misses": dns64_misses_workload, "cache-hits": cache_hits_workload,
             "cache-misses": cache_misses_workload, "tls-misses": tls_misses_workload,
             "dns64-hits-translate-all": dns64_hits_translate_all_workload}


def run(workload, seconds, workers, rate):
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        w = WORKLOADS[workload](tmp)
        upstream_pid = w["upstream"].proc.pid if w.get("upstream") else None
        try:
            for n in workers:
                env = {"COREDNS_WORKERS": str(n)}
                with CoreDNS(w["corefile"], args=["-quiet"], env=env) as c:
                    rows.append(("coredns-cpp", n, measure(c.proc.pid, c.port, w["qfile"], seconds, rate,
                                                           w.get("warmup", True), w.get("rate_qfile"), upstream_pid)))
                    if w.get("metrics_port"):
                        hs, sent = tls_handshakes(w["metrics_port"])
                        rows[-1][2]["handshakes_per_10k"] = hs * 10_000 / max(sent, 1)
                with Unbound("server:\n" + w["unbound"], threads=n) as u:
                    rows.append(("unbound", n, measure(u.proc.pid, u.port, w["qfile"], seconds, rate,
                                                       w.get("warmup", True), w.get("rate_qfile"),
                                                       upstream_pid)))
        finally:
            if w.get("upstream"):
                w["upstream"].stop()
    return rows


METRICS = ("qps", "cpu_us_per_query", "user_us_per_query", "sys_us_per_query", "p99_ms", "lost",
           "rss_kib", "handshakes_per_10k", "client_us_per_query", "upstream_us_per_query")


def median_rows(runs):
    """One row per (server, threads): each metric's median over the runs."""
    rows = []
    for i, (name, n, _) in enumerate(runs[0]):
        m = {}
        for k in METRICS:
            vals = [run[i][2][k] for run in runs if run[i][2].get(k) is not None]
            m[k] = statistics.median(vals) if vals else None
        rows.append((name, n, m))
    return rows


def ratios(runs):
    """{threads: {metric: [coredns-cpp / unbound in each run]}}: ratios between servers measured
    in the same run, so that what the machine was doing at the time weighs on both."""
    out = {}
    for rows in runs:
        by = {(name, n): r for name, n, r in rows}
        for n in sorted({n for _, n, _ in rows}):
            a, b = by.get(("coredns-cpp", n)), by.get(("unbound", n))
            if not (a and b):
                continue
            d = out.setdefault(n, {"cpu": [], "qps": [], "p99": []})
            d["cpu"].append(a["cpu_us_per_query"] / b["cpu_us_per_query"])
            d["qps"].append(a["qps"] / b["qps"])
            if a.get("p99_ms") and b.get("p99_ms"):
                d["p99"].append(a["p99_ms"] / b["p99_ms"])
    return out


def print_rows(rows):
    print(f"{'server':<12} {'threads':>7} {'QPS':>10} {'CPU us/q':>9} {'user':>6} {'sys':>6} "
          f"{'p99 ms':>8} {'lost':>6} {'RSS MiB':>8} {'client':>7} {'upstrm':>7}")
    for name, n, r in rows:
        p99 = f"{r['p99_ms']:.3f}" if r.get("p99_ms") is not None else "-"
        print(f"{name:<12} {n:>7} {r['qps']:>10.0f} {r['cpu_us_per_query']:>9.2f} "
              f"{r['user_us_per_query']:>6.2f} {r['sys_us_per_query']:>6.2f} {p99:>8} "
              f"{r['lost']:>6.0f} {r['rss_kib'] / 1024:>8.1f} {r['client_us_per_query']:>7.2f} "
              f"{r['upstream_us_per_query']:>7.2f}"
              + (f"  TLS handshakes/10k queries: {r['handshakes_per_10k']:.2f}"
                 if r.get("handshakes_per_10k") is not None else ""))


def report(workload, runs, rate):
    print(f"\nworkload: {workload}  ({len(runs)} run(s); p99 at a fixed {rate} QPS; RSS: peak "
          f"during the load; client, upstrm: CPU us per query of dnsperf and of the upstream)")
    if len(runs) > 1:
        for i, rows in enumerate(runs, 1):
            print(f"-- run {i}")
            print_rows(rows)
        print("-- median of each column over the runs")
    print_rows(median_rows(runs))

    def fmt(vals):
        if not vals:
            return "-"
        each = " ".join(f"{v:.2f}" for v in vals)
        return f"{statistics.median(vals):.2f} x" + (f" (runs: {each})" if len(vals) > 1 else "")

    for n, d in ratios(runs).items():
        print(f"threads={n}: coredns-cpp / unbound, median of the same-run ratios: "
              f"CPU/query {fmt(d['cpu'])}; QPS {fmt(d['qps'])}; p99 {fmt(d['p99'])}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workload", choices=sorted(WORKLOADS))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--rate", type=int, default=10000, help="fixed rate for the p99 (0: skip)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs; each run is printed, then each column's median")
    args = ap.parse_args()
    workers = [int(x) for x in args.workers.split(",")]
    runs = [run(args.workload, args.seconds, workers, args.rate or None) for _ in range(args.repeat)]
    report(args.workload, runs, args.rate)


if __name__ == "__main__":
    main()
