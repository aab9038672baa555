#!/usr/bin/python3
"""template benchmark: QPS and CPU per query of a regex-matched template answer against a plain
cache hit, both from coredns-cpp in the same run:

    flock /tmp/bench.lock tools/bench/template.py [--seconds 10] [--workers 1] [--repeat 3]

"template": a Corefile with only `template IN A bench` whose regex takes two groups out of the
name and renders them into the address (`ip-1-2.bench.` -> 10.0.1.2), so that every query runs
the regex, the template and the record parser. "cache": `cache` + `forward` to nsd, after a
warm-up every answer a cache hit. Both over the same 1000 names. The runs alternate, and the
ratio is taken within each run (dnsperf shares the 2 cores with the server, see dnsbench.py).
"""
import argparse
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "e2e"))
sys.path.insert(0, HERE)

from dnsbench import NSD_NO_RRL, measure  # noqa: E402
from harness import CoreDNS, Nsd, zone_file  # noqa: E402

TEMPLATE = (".:{port} {\n    template IN A bench {\n"
            '        match "^ip-(?P<a>[0-9]+)-(?P<b>[0-9]+)[.]bench[.]$"\n'
            '        answer "{{ .Name }} 60 IN A 10.0.{{ .Group.a }}.{{ .Group.b }}"\n'
            "    }\n}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    names = [f"ip-{i // 250}-{i % 250}.bench." for i in range(1000)]
    nsd = Nsd({"bench.": zone_file("bench", ["* 3600 IN A 93.184.216.34"], ttl=3600,
                                   soa_minimum=3600)}, ipv6=False, extra_config=NSD_NO_RRL)
    nsd.start()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            qfile = os.path.join(tmp, "q.txt")
            with open(qfile, "w") as f:
                f.writelines(f"{n} A\n" for n in names)
            cache = f".:{{port}} {{\n    cache\n    forward . 127.0.0.1:{nsd.port}\n}}\n"
            env = {"COREDNS_WORKERS": str(args.workers)}
            for _ in range(args.repeat):
                run = {}
                for label, corefile in (("template", TEMPLATE), ("cache", cache)):
                    with CoreDNS(corefile, args=["-quiet"], env=env) as c:
                        run[label] = measure(c.proc.pid, c.port, qfile, args.seconds, None)
                rows.append(run)
    finally:
        nsd.stop()
    print(f"coredns-cpp, {args.workers} worker(s), {args.seconds} s per measurement, 1000 names")
    print("| run | template QPS | template CPU µs/q | cache-hit QPS | cache-hit CPU µs/q | QPS ratio |")
    print("|---|---|---|---|---|---|")
    ratios = []
    for i, r in enumerate(rows, 1):
        t, c = r["template"], r["cache"]
        ratios.append(t["qps"] / c["qps"])
        print(f"| {i} | {t['qps']:,.0f} | {t['cpu_us_per_query']:.2f} | {c['qps']:,.0f} | "
              f"{c['cpu_us_per_query']:.2f} | {ratios[-1]:.2f} |")
    print(f"template / cache hit QPS, median of the same-run ratios: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
