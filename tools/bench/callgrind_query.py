#!/usr/bin/python3
"""User-space instructions per query of one dnsbench workload, counted by callgrind.

    tools/bench/callgrind_query.py WORKLOAD [--queries 10000] [--top 25] [--out DIR]

CPU time on a shared 2-core machine swings by 2x between runs; instruction counts repeat to a
few instructions, so they are the figure to compare one change against the next. The workload's
Corefile and upstream come from tools/bench/dnsbench.py. coredns (COREDNS_BIN, else build/)
runs under `valgrind --tool=callgrind` with 1 worker. A hit workload is warmed with 3 passes
over its names; a miss workload (no warm-up in dnsbench) with 3,000 of its rate names, so
the upstream connections exist. Then the counters are zeroed, QUERIES queries are sent by
dnsperf (one client, few outstanding, so that none is lost to valgrind's slowness), the profile
is dumped, and the total, the per-query figure and the top functions by self and inclusive
cost are printed. The profile stays in --out for callgrind_annotate.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "e2e"))

import dnsbench  # noqa: E402
from harness import free_port  # noqa: E402
from harness.process import coredns_bin  # noqa: E402


def dnsperf(port, qfile, passes=None, seconds=None):
    cmd = ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", qfile, "-c", "1", "-q", "8",
           "-t", "10"]
    cmd += ["-n", str(passes)] if passes else ["-l", str(seconds)]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    done = int(re.search(r"Queries completed:\s+(\d+)", out).group(1))
    lost = int(re.search(r"Queries lost:\s+(\d+)", out).group(1))
    return done, lost


def head(path, n, out):
    with open(path) as f, open(out, "w") as g:
        for i, line in enumerate(f):
            if i == n:
                break
            g.write(line)
    return out


def wait_ready(port, proc, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("coredns exited under valgrind")
        r = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+time=1", "+tries=1",
                            "ready.invalid.", "TXT"], capture_output=True, text=True)
        if "status:" in r.stdout:
            return
        time.sleep(0.5)
    raise RuntimeError("coredns did not answer under valgrind")


def annotate(outfile, inclusive, top):
    args = ["callgrind_annotate", "--threshold=100"]
    if inclusive:
        args.append("--inclusive=yes")
    lines = subprocess.run(args + [outfile], capture_output=True, text=True).stdout.splitlines()
    rows = [l for l in lines if re.match(r"^\s*[\d,]+ \(", l) or re.match(r"^\s*[\d,]+\s+\S", l)]
    return rows[:top + 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workload", choices=sorted(dnsbench.WORKLOADS))
    ap.add_argument("--queries", type=int, default=10_000)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--out", default=None, help="directory kept for the profile")
    a = ap.parse_args()
    out_dir = a.out or tempfile.mkdtemp(prefix="callgrind-")
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        w = dnsbench.WORKLOADS[a.workload](tmp)
        proc = None
        try:
            port = free_port()
            with open(os.path.join(tmp, "Corefile"), "w") as f:
                f.write(w["corefile"].replace("{port}", str(port)))
            outfile = os.path.join(out_dir, "callgrind.out")
            proc = subprocess.Popen(
                ["valgrind", "--tool=callgrind", f"--callgrind-out-file={outfile}",
                 coredns_bin(), "-quiet"], cwd=tmp, env=dict(os.environ, COREDNS_WORKERS="1"),
                stdout=subprocess.DEVNULL, stderr=open(os.path.join(out_dir, "valgrind.log"), "w"))
            wait_ready(port, proc)
            hits = w.get("warmup", True)
            if hits:
                names = sum(1 for _ in open(w["qfile"]))
                dnsperf(port, w["qfile"], passes=3)
                qfile, passes = w["qfile"], max(1, a.queries // names)
            else:
                dnsperf(port, head(w["rate_qfile"], 3000, os.path.join(tmp, "warm.txt")), passes=1)
                qfile, passes = head(w["qfile"], a.queries, os.path.join(tmp, "q.txt")), 1
            subprocess.run(["callgrind_control", "-z", str(proc.pid)], check=True, capture_output=True)
            done, lost = dnsperf(port, qfile, passes=passes)
            subprocess.run(["callgrind_control", "-d", str(proc.pid)], check=True, capture_output=True)
        finally:
            if proc:
                proc.terminate()
                proc.wait(timeout=60)
            if w.get("upstream"):
                w["upstream"].stop()
    dumps = sorted(glob.glob(outfile + ".*"), key=os.path.getmtime)
    dump = dumps[-1] if dumps else outfile
    shutil.copy(dump, os.path.join(out_dir, "query.out"))
    total = 0
    with open(dump) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                total = int(line.split()[1])
    print(f"{a.workload}: {done} queries answered, {lost} lost; {total:,} instructions, "
          f"{total / max(done, 1):,.0f} per query")
    print(f"profile: {os.path.join(out_dir, 'query.out')}")
    for inclusive in (False, True):
        print("\n-- top by " + ("inclusive" if inclusive else "self") + " cost (whole run) --")
        for row in annotate(os.path.join(out_dir, "query.out"), inclusive, a.top):
            print(row)


if __name__ == "__main__":
    main()
