#!/usr/bin/python3
"""Serving DNS over TLS: coredns-cpp's tls:// block against unbound's tls-service, same run.

    flock /tmp/bench.lock tools/bench/dot_serve.py [--seconds 10] [--workers 1] [--repeat 3]
                                                   [--connections 100] [--idle 1000]

Both answer A queries over 1000 hot names from their caches (the names come from one nsd
wildcard, asked once in a warm-up run), over TLS from dnsperf -m dot with --connections
connections. Reported: QPS, server CPU microseconds per query, peak RSS under load, and the RSS
with --idle client connections open and idle (TLS handshake done, one query answered on each),
measured while they are all open. The medians and the same-run ratios are dnsbench.py's.
"""
import argparse
import os
import re
import shutil
import socket
import ssl
import statistics
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "e2e"))

from dnsbench import cpu_seconds, median_rows, print_rows, ratios  # noqa: E402
from harness import CoreDNS, Nsd, Unbound, free_port, read_exact, zone_file  # noqa: E402
from harness.process import rss_kib  # noqa: E402
from harness.tls_certs import CA  # noqa: E402

NSD_NO_RRL = "server:\n  rrl-ratelimit: 0\n  rrl-whitelist-ratelimit: 0"


def dnsperf_dot(port, qfile, seconds, clients):
    cmd = ["dnsperf", "-m", "dot", "-s", "127.0.0.1", "-p", str(port), "-d", qfile,
           "-l", str(seconds), "-c", str(clients), "-q", str(clients * 10), "-t", "5", "-T", "1"]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    m = re.search(r"Queries completed:\s+(\d+)", out)
    if not m:
        raise RuntimeError("dnsperf: " + out)
    return {"completed": int(m.group(1)),
            "lost": int(re.search(r"Queries lost:\s+(\d+)", out).group(1)),
            "qps": float(re.search(r"Queries per second:\s+([\d.]+)", out).group(1))}


def query_wire(i):
    qname = b"".join(bytes([len(l)]) + l for l in (f"hot{i}".encode(), b"bench")) + b"\0"
    msg = struct.pack("!HHHHHH", i & 0xFFFF, 0x0100, 1, 0, 0, 0) + qname + struct.pack("!HH", 1, 1)
    return struct.pack("!H", len(msg)) + msg


def idle_rss(pid, port, n, ca_file):
    """RSS (KiB) of `pid` with `n` TLS connections open and idle. Each one's handshake is done
    and one query answered; while they open, every connection asks again every 3 s, so that
    none reaches coredns's 10 s idle timeout (CoreDNS's) before the measurement."""
    ctx = ssl.create_default_context(cafile=ca_file)
    ctx.check_hostname = False

    def ask(s, i):
        s.sendall(query_wire(i % 1000))
        (length,) = struct.unpack("!H", read_exact(s, 2))
        read_exact(s, length)

    conns = []
    last_round = time.monotonic()
    try:
        for i in range(n):
            s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10))
            ask(s, i)
            conns.append(s)
            if time.monotonic() - last_round > 3:
                for j, old in enumerate(conns):
                    ask(old, j)
                last_round = time.monotonic()
        return rss_kib(pid)
    finally:
        for s in conns:
            s.close()


def measure(pid, port, qfile, seconds, clients, idle, ca_file):
    dnsperf_dot(port, qfile, 2, clients)  # warm-up: fills the caches
    u0, s0 = cpu_seconds(pid)
    r = dnsperf_dot(port, qfile, seconds, clients)
    u1, s1 = cpu_seconds(pid)
    n = max(r["completed"], 1)
    r["user_us_per_query"] = (u1 - u0) * 1e6 / n
    r["sys_us_per_query"] = (s1 - s0) * 1e6 / n
    r["cpu_us_per_query"] = r["user_us_per_query"] + r["sys_us_per_query"]
    r["p99_ms"] = None
    r["rss_kib"] = rss_kib(pid)
    r["idle_rss_kib"] = idle_rss(pid, port, idle, ca_file) if idle else None
    return r


def run(tmp, seconds, workers, clients, idle):
    ca = CA(os.path.join(tmp, "certs"))
    cert, key = ca.issue("server", dns=["dns.test"], ips=["127.0.0.1"])
    qfile = os.path.join(tmp, "q.txt")
    with open(qfile, "w") as f:
        f.writelines(f"hot{i}.bench. A\n" for i in range(1000))
    nsd = Nsd({"bench.": zone_file("bench", ["* 3600 IN A 93.184.216.34"], ttl=3600,
                                   soa_minimum=3600)}, ipv6=False, extra_config=NSD_NO_RRL)
    nsd.start()
    rows = []
    try:
        for n in workers:
            tls_port = free_port()
            # The dns:// block only lets the harness see the server up (it probes UDP).
            corefile = (f"tls://.:{tls_port} {{\n    tls {cert} {key}\n    cache\n"
                        f"    forward . 127.0.0.1:{nsd.port}\n}}\n.:{{port}} {{\n    whoami\n}}\n")
            with CoreDNS(corefile, args=["-quiet"], env={"COREDNS_WORKERS": str(n)}) as c:
                rows.append(("coredns-cpp", n, measure(c.proc.pid, tls_port, qfile, seconds,
                                                       clients, idle, ca.cert)))
            tls_port = free_port()
            conf = (f"server:\n  interface: 127.0.0.1@{tls_port}\n  tls-port: {tls_port}\n"
                    f"  tls-service-key: \"{key}\"\n  tls-service-pem: \"{cert}\"\n"
                    # Above half of incoming-num-tcp in use unbound shortens its idle timeout.
                    f"  incoming-num-tcp: {2 * max(clients, idle) + 100}\n"
                    "  msg-cache-size: 64m\n  rrset-cache-size: 128m\n"
                    f'forward-zone:\n  name: "bench."\n  forward-addr: 127.0.0.1@{nsd.port}\n')
            with Unbound(conf, threads=n) as u:
                rows.append(("unbound", n, measure(u.proc.pid, tls_port, qfile, seconds, clients,
                                                   idle, ca.cert)))
    finally:
        nsd.stop()
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--workers", default="1")
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--idle", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    workers = [int(x) for x in args.workers.split(",")]
    runs = []
    for _ in range(args.repeat):
        tmp = tempfile.mkdtemp(prefix="dot-bench-")
        try:
            runs.append(run(tmp, args.seconds, workers, args.connections, args.idle))
        finally:
            shutil.rmtree(tmp)
    print(f"\nDoT serving, cache hits, {args.connections} connections ({len(runs)} run(s))")
    for i, rows in enumerate(runs, 1):
        if len(runs) > 1:
            print(f"-- run {i}")
        print_rows(rows)
        for name, n, r in rows:
            if r["idle_rss_kib"] is not None:
                print(f"{name} threads={n}: RSS with {args.idle} idle TLS connections "
                      f"{r['idle_rss_kib'] / 1024:.1f} MiB")
    if len(runs) > 1:
        print("-- median of each column over the runs")
        print_rows(median_rows(runs))
        for i, (name, n, _) in enumerate(runs[0]):
            vals = [run[i][2]["idle_rss_kib"] for run in runs if run[i][2]["idle_rss_kib"]]
            if vals:
                print(f"{name} threads={n}: median RSS with {args.idle} idle TLS connections "
                      f"{statistics.median(vals) / 1024:.1f} MiB")
    for n, d in ratios(runs).items():
        each = lambda v: f"{statistics.median(v):.2f} x (runs: {' '.join(f'{x:.2f}' for x in v)})"
        print(f"threads={n}: coredns-cpp / unbound, median of the same-run ratios: "
              f"CPU/query {each(d['cpu'])}; QPS {each(d['qps'])}")


if __name__ == "__main__":
    main()
