#!/usr/bin/python3
"""Start-up benchmark: time from exec to the first answered query, and idle RSS, of a coredns
binary started as the default image starts it (no Corefile: whoami and log on the DNS port).

    tools/bench/startup.py [--bin build-static-amd64/rootfs/coredns] [--runs 20] [--idle 1.0]

Each run execs the binary in an empty directory with -dns.port on a free loopback port, while
this script sends a whoami query over UDP every 0.5 ms (a new query ID each time) until one is
answered; the time from just before the exec to the arrival of that answer is the start-up
time (resolution about 0.5 ms), and the CPU time the server's threads used until then
(/proc/PID/task/*/schedstat) tells its own cost from waiting for a CPU on a loaded machine. Then the server is left idle for --idle seconds and its VmRSS is
read from /proc. Prints every run and the median, minimum and maximum of each. Takes
/tmp/bench.lock for the whole run, so two benchmarks never overlap.

Targets (docs/container.md, "Start-up"): median start-up <= 20 ms, idle RSS <= 5 MiB.
"""
import argparse
import fcntl
import os
import select
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def whoami_query(qid):
    header = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    name = b"".join(bytes([len(l)]) + l for l in (b"whoami", b"example")) + b"\0"
    return header + name + struct.pack("!HH", 1, 1)


def cpu_ms(pid):
    """CPU time of all the process's threads so far (schedstat: nanoseconds on a CPU)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass  # a thread that just ended
    return total / 1e6


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def one_run(binary, idle):
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="startup-")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary, "-dns.port", str(port)], cwd=workdir,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        qid = 0
        sent = set()
        deadline = t0 + 10
        while True:
            now = time.perf_counter()
            if now > deadline:
                raise RuntimeError("no answer within 10 s")
            if proc.poll() is not None:
                raise RuntimeError(f"coredns exited {proc.returncode}")
            qid = (qid + 1) & 0xFFFF
            try:
                sock.send(whoami_query(qid))
                sent.add(qid)
            except ConnectionRefusedError:
                pass  # the ICMP port unreachable of an earlier query: not listening yet
            r, _, _ = select.select([sock], [], [], 0.0005)
            if r:
                try:
                    reply = sock.recv(4096)
                except ConnectionRefusedError:
                    continue
                if len(reply) >= 12 and struct.unpack("!H", reply[:2])[0] in sent and reply[2] & 0x80:
                    startup_ms = (time.perf_counter() - t0) * 1000
                    startup_cpu = cpu_ms(proc.pid)
                    break
        time.sleep(idle)
        rss = rss_kib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)
        sock.close()
        os.rmdir(workdir)
    return startup_ms, startup_cpu, rss


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build-static-amd64", "rootfs", "coredns"))
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--idle", type=float, default=1.0, help="seconds idle before RSS is read")
    a = ap.parse_args()
    if not os.access(a.bin, os.X_OK):
        sys.exit(f"startup.py: {a.bin} is not an executable (tools/build-static.sh --out ...)")
    with open("/tmp/bench.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        times, cpus, rsses = [], [], []
        for i in range(a.runs):
            ms, cpu, rss = one_run(a.bin, a.idle)
            times.append(ms)
            cpus.append(cpu)
            rsses.append(rss)
            print(f"run {i + 1:2d}: first answer after {ms:6.2f} ms ({cpu:5.2f} ms of CPU), "
                  f"idle RSS {rss / 1024:5.2f} MiB")
    print(f"start-up to first answer: median {statistics.median(times):.2f} ms "
          f"(min {min(times):.2f}, max {max(times):.2f}) over {a.runs} runs; target <= 20 ms")
    print(f"CPU time until the first answer (all threads): median {statistics.median(cpus):.2f} ms "
          f"(min {min(cpus):.2f}, max {max(cpus):.2f})")
    print(f"idle RSS: median {statistics.median(rsses) / 1024:.2f} MiB "
          f"(min {min(rsses) / 1024:.2f}, max {max(rsses) / 1024:.2f}); target <= 5 MiB")


if __name__ == "__main__":
    main()
