#!/usr/bin/python3
"""Block-list benchmark: one generated hosts-format list of NAMES names (`0.0.0.0 name` lines)
loaded by coredns's hosts plugin, by dnsmasq (--addn-hosts) and by unbound (local-data under a
static local-zone), in the same run, each with one thread:

    flock /tmp/bench.lock tools/bench/blocklist.py [--names 1000000] [--seconds 10]

Per server: load time (process start until a name from the list's last line answers), RSS once
loaded, reload time (the list replaced, then until a name only the new list has answers; coredns
notices the change itself within its `reload` period of 100 ms, dnsmasq and unbound are sent
SIGHUP), then QPS and server CPU microseconds per query for blocked names (dnsperf, as
dnsbench.py), and for names not on the list, which go on to each server's cache in front of the
same nsd (a wildcard zone `pass.`; after a warm-up every such answer is a cache hit): coredns
runs `hosts ... { fallthrough }`, `cache` and `forward`, dnsmasq its cache and `--server`,
unbound its caches and a forward-zone. COREDNS_BIN picks the binary (default
build/core/main/coredns).
"""
import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "e2e"))
sys.path.insert(0, HERE)

import dns.message  # noqa: E402
import dns.query  # noqa: E402

from dnsbench import NSD_NO_RRL, cpu_seconds, dnsperf  # noqa: E402
from harness import Nsd, free_port, zone_file  # noqa: E402
from harness.process import coredns_bin, rss_kib  # noqa: E402


def name(i):
    return f"ad{i}.tracker{i % 997}.example"


def write_hosts(path, names, sentinel):
    with open(path + ".new", "w") as f:
        for start in range(0, names, 100000):
            f.write("".join(f"0.0.0.0 {name(i)}\n" for i in range(start, min(names, start + 100000))))
        f.write(f"0.0.0.0 {sentinel}\n")
    os.replace(path + ".new", path)


def write_unbound_data(path, names, sentinel):
    with open(path + ".new", "w") as f:
        f.write('server:\n  local-zone: "example." static\n')
        for start in range(0, names, 100000):
            f.write("".join(f'  local-data: "{name(i)}. A 0.0.0.0"\n'
                            for i in range(start, min(names, start + 100000))))
        f.write(f'  local-data: "{sentinel}. A 0.0.0.0"\n')
    os.replace(path + ".new", path)


def answers(port, qname):
    try:
        r = dns.query.udp(dns.message.make_query(qname, "A"), "127.0.0.1", port=port, timeout=0.2)
    except Exception:
        return False
    return any(rd.address == "0.0.0.0" for rrset in r.answer for rd in rrset)


def wait_answer(port, qname, proc, timeout=600):
    start = time.monotonic()
    while not answers(port, qname):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited {proc.returncode}")
        if time.monotonic() - start > timeout:
            raise TimeoutError(qname)
        time.sleep(0.005)
    return time.monotonic()


class Server:
    def __init__(self, kind, tmp, names, upstream):
        self.kind, self.tmp, self.names, self.upstream = kind, tmp, names, upstream
        self.port = free_port()
        self.list = os.path.join(tmp, f"{kind}.list")
        self.proc = None

    def write(self, sentinel):
        if self.kind == "unbound":
            write_unbound_data(self.list, self.names, sentinel)
        else:
            write_hosts(self.list, self.names, sentinel)

    def command(self):
        if self.kind == "coredns":
            core = os.path.join(self.tmp, "Corefile")
            with open(core, "w") as f:
                f.write(f".:{self.port} {{\n hosts {self.list} {{\n  no_reverse\n  reload 100ms\n"
                        f"  fallthrough\n }}\n cache\n forward . 127.0.0.1:{self.upstream}\n}}\n")
            return [coredns_bin(), "-conf", core, "-quiet"], {"COREDNS_WORKERS": "1"}
        if self.kind == "dnsmasq":
            return ["dnsmasq", "-k", "--no-resolv", "--no-hosts", f"--addn-hosts={self.list}",
                    f"--port={self.port}", "--listen-address=127.0.0.1", "--bind-interfaces",
                    "--user=root", "--pid-file=", "--cache-size=10000",
                    f"--server=127.0.0.1#{self.upstream}"], {}
        conf = os.path.join(self.tmp, "unbound.conf")
        with open(conf, "w") as f:
            f.write(f"""server:
  port: {self.port}
  interface: 127.0.0.1
  username: ""
  chroot: ""
  directory: "{self.tmp}"
  pidfile: ""
  use-syslog: no
  logfile: ""
  verbosity: 0
  num-threads: 1
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
include: "{self.list}"
forward-zone:
  name: "pass."
  forward-addr: 127.0.0.1@{self.upstream}
remote-control:
  control-enable: no
""")
        return ["unbound", "-d", "-c", conf], {}

    def start(self):
        cmd, env = self.command()
        t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, env=dict(os.environ, **env), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        return wait_answer(self.port, "sentinel-1.example", self.proc) - t0

    def reload(self):
        self.write("sentinel-2.example")
        t0 = time.monotonic()
        if self.kind != "coredns":
            self.proc.send_signal(signal.SIGHUP)
        return wait_answer(self.port, "sentinel-2.example", self.proc) - t0

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--names", type=int, default=1000000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--servers", default="coredns,dnsmasq,unbound")
    args = ap.parse_args()
    rows = []
    nsd = Nsd({"pass.": zone_file("pass", ["* 3600 IN A 93.184.216.34"], ttl=3600,
                                  soa_minimum=3600)}, ipv6=False, extra_config=NSD_NO_RRL)
    nsd.start()
    with tempfile.TemporaryDirectory(prefix="blocklist-bench-") as tmp:
        pfile = os.path.join(tmp, "pass.txt")
        with open(pfile, "w") as f:
            f.writelines(f"ok{i}.pass. A\n" for i in range(1000))
        qfile = os.path.join(tmp, "queries.txt")
        rnd = random.Random(1)
        with open(qfile, "w") as f:
            for _ in range(200000):
                f.write(f"{name(rnd.randrange(args.names))}. A\n")
        for kind in args.servers.split(","):
            d = os.path.join(tmp, kind)
            os.mkdir(d)
            s = Server(kind, d, args.names, nsd.port)
            s.write("sentinel-1.example")
            try:
                load = s.start()
                rss = rss_kib(s.proc.pid)
                reload = s.reload()
                time.sleep(1)  # let a reload's old table go before measuring
                rss_after = rss_kib(s.proc.pid)
                dnsperf(s.port, qfile, 1)
                u0, s0 = cpu_seconds(s.proc.pid)
                r = dnsperf(s.port, qfile, args.seconds)
                u1, s1 = cpu_seconds(s.proc.pid)
                cpu = (u1 - u0 + s1 - s0) * 1e6 / max(r["completed"], 1)
                dnsperf(s.port, pfile, 1)  # warm-up: every pass-through name in the cache
                u0, s0 = cpu_seconds(s.proc.pid)
                p = dnsperf(s.port, pfile, args.seconds)
                u1, s1 = cpu_seconds(s.proc.pid)
                pcpu = (u1 - u0 + s1 - s0) * 1e6 / max(p["completed"], 1)
                rows.append((kind, load, rss / 1024, reload, rss_after / 1024, r["qps"], cpu,
                             r["lost"], p["qps"], pcpu))
            finally:
                s.stop()
    nsd.stop()
    print(f"{args.names:,} names, one thread each; blocked names, then names that pass to the cache")
    print("| server | load s | RSS MiB after load | reload s | RSS MiB after reload | blocked QPS | "
          "blocked CPU µs/query | lost | pass-through QPS | pass-through CPU µs/query |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for k, load, rss, rel, rss2, qps, cpu, lost, pqps, pcpu in rows:
        print(f"| {k} | {load:.2f} | {rss:.1f} | {rel:.2f} | {rss2:.1f} | {qps:,.0f} | {cpu:.2f} "
              f"| {lost} | {pqps:,.0f} | {pcpu:.2f} |")


if __name__ == "__main__":
    main()
