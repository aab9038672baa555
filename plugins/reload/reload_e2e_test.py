"""reload end to end: CoreDNS's plugin/reload/README.md, plus where docs/architecture.md (Reload) goes beyond CoreDNS
(old configuration keeps serving on failure, sockets kept, no lost queries, no leak)."""
import os
import re
import signal
import subprocess
import tempfile
import time

import pytest

from harness import CoreDNS, dig, free_port, has_plugin, rss_env, rss_kib

SHA = r"\[INFO\] plugin/reload: Running configuration SHA512 = [0-9a-f]{128}$"


def whoami_block(port, extra=""):
    return f".:{port} {{\n whoami\n reload 2s 0s\n{extra}}}\n"


def answers(port, tcp=False):
    out = dig("example.org", *(["+tcp"] if tcp else []), port=port)
    return "status: NOERROR" in out


def test_y7_startup_logs_the_sha512_between_zones_and_version():
    with CoreDNS(whoami_block("{port}")) as c:
        c.wait_for_line("^CoreDNS-")
        out = c.stdout()
        zone = out.index(f".:{c.port}")
        sha = next(i for i, l in enumerate(out) if re.search(SHA, l))
        version = next(i for i, l in enumerate(out) if l.startswith("CoreDNS-"))
        assert zone < sha < version


def test_y8_a_comment_change_does_not_reload():
    with CoreDNS(whoami_block("{port}")) as c:
        c.wait_for_line(SHA)
        c.write_corefile(f".:{c.port} {{\n whoami # comment\n reload 2s 0s\n}}\n")
        time.sleep(5)
        assert not c.lines_matching(r"\[INFO\] Reloading")


def test_y9_a_blank_line_reloads_and_logs_a_new_sha():
    with CoreDNS(whoami_block("{port}")) as c:
        first = c.wait_for_line(SHA)
        c.write_corefile("\n" + whoami_block(c.port))
        c.wait_for_line(r"^\[INFO\] Reloading complete$", timeout=8)
        shas = c.lines_matching(SHA)
        assert len(shas) == 2 and shas[1] != first
        assert answers(c.port)


def test_y11_invalid_corefile_keeps_the_old_one_serving_and_counts_the_failure():
    with CoreDNS(whoami_block("{port}")) as c:
        c.wait_for_line(SHA)
        c.write_corefile(f".:{c.port} {{\n whoami\n foo\n reload 2s 0s\n}}\n")
        c.wait_for_line(r"^\[ERROR\] Restart failed: Corefile:3 - Error during parsing: "
                        r"Unknown directive 'foo'$", timeout=8)
        c.wait_for_line(r"^\[ERROR\] plugin/reload: Corefile changed but reload failed: starting "
                        r"with listener file descriptors: Corefile:3 - Error during parsing: "
                        r"Unknown directive 'foo'$")
        assert answers(c.port) and answers(c.port, tcp=True)
        # Not retried until the file changes again.
        time.sleep(4.5)
        assert len(c.lines_matching(r"Restart failed")) == 1


def test_y12_a_syntax_error_warns_every_period():
    with CoreDNS(whoami_block("{port}")) as c:
        c.wait_for_line(SHA)
        c.write_corefile(f".:{c.port} {{\n whoami\n reload 2s 0s\n")
        c.wait_for_line(r"^\[WARNING\] plugin/reload: Corefile parse failed: Corefile:\d+ - "
                        r"Syntax error: ", timeout=8)
        time.sleep(4.5)
        assert len(c.lines_matching(r"Corefile parse failed")) >= 2
        assert answers(c.port)


def test_y13_changing_the_port_moves_the_listener():
    with CoreDNS(whoami_block("{port}")) as c:
        c.wait_for_line(SHA)
        new_port = free_port()
        c.write_corefile(whoami_block(new_port))
        c.wait_for_line(r"^\[INFO\] Reloading complete$", timeout=8)
        assert answers(new_port) and answers(new_port, tcp=True)
        assert not answers(c.port)


def test_adding_a_zone_block_serves_it():
    with CoreDNS(f"example.org:{{port}} {{\n whoami\n reload 2s 0s\n}}\n") as c:
        c.wait_for_line(SHA)
        assert "status: REFUSED" in dig("example.net", port=c.port)
        c.write_corefile(f"example.org:{c.port} {{\n whoami\n reload 2s 0s\n}}\n"
                         f"example.net:{c.port} {{\n whoami\n}}\n")
        c.wait_for_line(r"^\[INFO\] Reloading complete$", timeout=8)
        assert "status: NOERROR" in dig("example.net", port=c.port)


def test_y14_sigusr1_reloads_without_a_change():
    with CoreDNS(whoami_block("{port}")) as c:
        c.wait_for_line(SHA)
        c.signal(signal.SIGUSR1)
        c.wait_for_line(r"^\[INFO\] SIGUSR1: Reloading$")
        c.wait_for_line(r"^\[INFO\] Reloading complete$")
        assert answers(c.port)


@pytest.mark.skipif(not has_plugin("log"), reason="log not compiled in")
def test_y10_adding_log_takes_effect():
    with CoreDNS(whoami_block("{port}")) as c:
        c.wait_for_line(SHA)
        c.write_corefile(f".:{c.port} {{\n log\n whoami\n reload 2s 0s\n}}\n")
        c.wait_for_line(r"^\[INFO\] Reloading complete$", timeout=8)
        dig("logged.example.org", port=c.port)
        c.wait_for_line(r'"A IN logged\.example\.org\. udp')


def reload_and_wait(c, done_before):
    c.signal(signal.SIGUSR1)
    deadline = time.time() + 10
    while len(c.lines_matching(r"^\[INFO\] Reloading complete$")) <= done_before:
        assert time.time() < deadline, "reload did not complete"
        time.sleep(0.001)
    return done_before + 1


def test_a_thousand_reloads_do_not_grow_memory():
    with CoreDNS(f".:{{port}} {{\n whoami\n}}\n", args=["-quiet"], env=rss_env()) as c:
        done = 0
        for _ in range(100):
            done = reload_and_wait(c, done)
        before = rss_kib(c.proc.pid)
        for _ in range(900):
            done = reload_and_wait(c, done)
        after = rss_kib(c.proc.pid)
        assert answers(c.port)
        # Each configuration is freed once the workers let go of it: RSS stays flat.
        assert after - before < 2048, f"RSS grew from {before} KiB to {after} KiB"


def test_reload_under_load_loses_no_query():
    """dnsperf at a steady rate while the Corefile is rewritten 50 times (each rewrite applied
    at once with SIGUSR1, so the test stays short)."""
    with CoreDNS(f".:{{port}} {{\n whoami\n}}\n", args=["-quiet"], env=rss_env()) as c:
        qfile = os.path.join(c.dir, "queries.txt")
        with open(qfile, "w") as f:
            for i in range(1000):
                f.write(f"host{i}.example.org A\n")
        perf = subprocess.Popen(
            ["dnsperf", "-s", "127.0.0.1", "-p", str(c.port), "-d", qfile, "-l", "14",
             "-Q", "2000", "-c", "4", "-t", "2"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(1.5)
        rss_before = rss_kib(c.proc.pid)
        done = 0
        for i in range(50):
            # Alternate the port-53 block's zones so every rewrite is a real change.
            extra = f"example{i}.test:{c.port} {{\n whoami\n}}\n"
            c.write_corefile(f".:{c.port} {{\n whoami\n}}\n" + extra)
            done = reload_and_wait(c, done)
            time.sleep(0.2)
        out, _ = perf.communicate(timeout=30)
        rss_after = rss_kib(c.proc.pid)
        sent = int(re.search(r"Queries sent:\s+(\d+)", out).group(1))
        lost = int(re.search(r"Queries lost:\s+(\d+)", out).group(1))
        print(f"reload-under-load: sent={sent} lost={lost} rss {rss_before} -> {rss_after} KiB")
        assert sent > 10000
        assert lost == 0, out
        assert rss_after - rss_before < 4096
