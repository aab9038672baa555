"""The command line, as a user sees it (CoreDNS's coremain/run.go): flags, exit codes,
what goes to stdout and stderr, the default Corefile, -conf stdin, the pidfile and signals."""
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

import dns.flags
import dns.rcode

from harness import CoreDNS, coredns_bin, free_port, query, raw_tcp, make_query, run_coredns
from harness import require_plugins

VERSION_LINE = "CoreDNS-1.14.7"
PLATFORM_LINE = re.compile(r"^linux/[0-9a-z_]+, \S.*, \S*$")
# The flags CoreDNS has, each with its description line, in Go's usage format.
CORE_USAGE = [
    ("  -conf string", '    \tCorefile to load (default "Corefile")'),
    ("  -dns.port string", '    \tDefault port (default "53")'),
    ("  -p string", '    \tDefault port (default "53")'),
    ("  -pidfile string", "    \tPath to write pid file"),
    ("  -plugins", "    \tList installed plugins"),
    ("  -quiet", "    \tQuiet mode (no initialization output)"),
    ("  -version", "    \tShow version"),
]


def empty_dir():
    return tempfile.mkdtemp(prefix="coredns-e2e-cli-")


def lines(data):
    return data.decode().splitlines()


def assert_usage(stderr_lines):
    """Go's usage text: every CoreDNS flag with its description, flags sorted by name."""
    assert stderr_lines[0] == f"Usage of {coredns_bin()}:"
    flag_lines = [l for l in stderr_lines[1:] if l.startswith("  -")]
    names = [l.split()[0] for l in flag_lines]
    assert names == sorted(names)
    body = stderr_lines[1:]
    for flag, description in CORE_USAGE:
        assert flag in body, f"{flag!r} missing from usage"
        assert body[body.index(flag) + 1] == description


def first_line(c):
    """The first line of the startup output, once it is complete (the version comes last). The
    query log of the harness's readiness probe may come first: serving starts before printing."""
    c.wait_for_line(f"^{VERSION_LINE}$")
    return next(l for l in c.stdout() if not l.startswith("[INFO] "))


def is_whoami_reply(reply, client="127.0.0.1"):
    texts = [rrset.to_text() for rrset in reply.additional]
    return reply.rcode() == dns.rcode.NOERROR and reply.flags & dns.flags.AA and \
        any(f" IN A {client}" in t or f" IN AAAA {client}" in t for t in texts)


def test_c1_version_prints_two_lines_and_reads_no_corefile():
    cwd = empty_dir()
    with open(os.path.join(cwd, "Corefile"), "w") as f:
        f.write(". {\n bogus\n}\n")  # would fail if it were read
    r = run_coredns(["-version"], cwd=cwd)
    assert r.returncode == 0
    out = lines(r.stdout)
    assert out[0] == VERSION_LINE
    assert PLATFORM_LINE.match(out[1]), out[1]
    assert len(out) == 2
    assert r.stderr == b""


def test_c2_plugins_lists_sorted_names_then_an_empty_line():
    r = run_coredns(["-plugins"], cwd=empty_dir())
    assert r.returncode == 0
    text = r.stdout.decode()
    assert text.endswith("\n\n")
    names = text[:-2].split("\n")
    assert names == sorted(names)
    assert "whoami" in names
    assert all(re.fullmatch(r"[a-z0-9_]+", n) for n in names), names


def test_c3_extra_arguments_are_fatal_with_a_go_log_timestamp():
    r = run_coredns(["foo"], cwd=empty_dir())
    assert r.returncode == 1
    assert re.fullmatch(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d extra command line arguments: \[foo\]\n",
                        r.stderr.decode()), r.stderr
    r = run_coredns(["-quiet", "a", "b"], cwd=empty_dir())
    assert r.returncode == 1
    assert r.stderr.decode().rstrip("\n").endswith(" extra command line arguments: [a b]")


def test_c4_unknown_flag_prints_the_error_and_usage_and_exits_2():
    r = run_coredns(["-bogus"], cwd=empty_dir())
    assert r.returncode == 2
    err = lines(r.stderr)
    assert err[0] == "flag provided but not defined: -bogus"
    assert_usage(err[1:])
    assert r.stdout == b""


def test_c4_flag_without_its_value_exits_2():
    r = run_coredns(["-conf"], cwd=empty_dir())
    assert r.returncode == 2
    err = lines(r.stderr)
    assert err[0] == "flag needs an argument: -conf"
    assert_usage(err[1:])


def test_c5_help_prints_usage_and_exits_0():
    for flag in ("-h", "-help", "--help"):
        r = run_coredns([flag], cwd=empty_dir())
        assert r.returncode == 0, flag
        assert_usage(lines(r.stderr))
        assert r.stdout == b""


def test_c6_missing_conf_file():
    r = run_coredns(["-conf", "/nonexistent"], cwd=empty_dir())
    assert r.returncode == 1
    assert r.stderr == b"loading Caddyfile via flag: open /nonexistent: no such file or directory\n"


def test_c7_empty_directory_serves_the_default_whoami_and_log():
    require_plugins("log")
    port = free_port()
    with CoreDNS(port=port, args=["-dns.port", str(port)]) as c:
        assert first_line(c) == f".:{c.port}"
        reply = c.query("x.org.", "A")
        assert is_whoami_reply(reply)
        c.wait_for_line(r'^\[INFO\] 127\.0\.0\.1:\d+ - \d+ "A IN x\.org\. udp ')


def test_c8_quiet_hides_the_startup_lines_but_not_the_query_log():
    require_plugins("log")
    port = free_port()
    with CoreDNS(port=port, args=["-quiet", "-dns.port", str(port)]) as c:
        assert is_whoami_reply(c.query("x.org.", "A"))
        c.wait_for_line(r'"A IN x\.org\. udp ')
        assert not [l for l in c.stdout() if l.startswith(".:") or l.startswith("CoreDNS-")]


def test_c9_the_last_port_flag_wins_for_keys_without_a_port():
    first, second = free_port(), free_port()
    with CoreDNS(". {\n whoami\n}\n", port=second, args=["-p", str(first), "-dns.port", str(second)]) as c:
        assert first_line(c) == f".:{second}"
        assert is_whoami_reply(c.query("x.org."))
        assert query_fails(first)


def test_c9_default_corefile_uses_the_last_port_flag():
    require_plugins("log")
    first, second = free_port(), free_port()
    with CoreDNS(port=second, args=["-p", str(first), "-dns.port", str(second)]) as c:
        assert first_line(c) == f".:{second}"
        assert query_fails(first)


def query_fails(port):
    try:
        query("x.org.", port=port, timeout=0.3)
    except Exception:
        return True
    return False


def test_c10_pidfile_written_at_start_and_removed_on_sigterm():
    c = CoreDNS(".:{port} {\n whoami\n}\n", args=["-pidfile", "c.pid"])
    with c:
        c.wait_for_line(f"^{VERSION_LINE}$")  # printed after the pidfile is written
        pidfile = os.path.join(c.dir, "c.pid")
        with open(pidfile) as f:
            assert f.read() == f"{c.proc.pid}\n"
        assert oct(os.stat(pidfile).st_mode & 0o777) == oct(0o644)
        t0 = time.monotonic()
        assert c.stop(signal.SIGTERM) == 0
        assert time.monotonic() - t0 < 5
    assert "[INFO] SIGTERM: Shutting down servers then terminating" in c.stdout()
    assert not os.path.exists(pidfile)


def test_c10_sigint_shuts_down_and_removes_the_pidfile():
    c = CoreDNS(".:{port} {\n whoami\n}\n", args=["-pidfile", "c.pid"])
    with c:
        c.wait_for_line(f"^{VERSION_LINE}$")
        pidfile = os.path.join(c.dir, "c.pid")
        assert os.path.exists(pidfile)
        assert c.stop(signal.SIGINT) == 0
    assert "[INFO] SIGINT: Shutting down" in c.stdout()
    assert not os.path.exists(pidfile)


def test_pidfile_that_cannot_be_written_is_logged_and_serving_continues():
    with CoreDNS(".:{port} {\n whoami\n}\n", args=["-pidfile", "/nonexistent/c.pid"]) as c:
        c.wait_for_line(r"^\[ERROR\] Could not write pidfile: open /nonexistent/c\.pid: "
                        r"no such file or directory$")
        assert is_whoami_reply(c.query("x.org."))


def test_sigterm_does_not_wait_for_idle_tcp_connections():
    with CoreDNS(".:{port} {\n whoami\n}\n") as c:
        idle = socket.create_connection(("127.0.0.1", c.port))
        try:
            assert len(raw_tcp([make_query("x.org.").to_wire()], c.port)) == 1
            t0 = time.monotonic()
            assert c.stop(signal.SIGTERM) == 0
            assert time.monotonic() - t0 < 2
        finally:
            idle.close()


def test_c11_conf_stdin_reads_the_corefile_from_a_pipe():
    port = free_port()
    with CoreDNS(port=port, args=["-conf", "stdin"], stdin=f".:{port} {{\n whoami\n}}\n") as c:
        assert first_line(c) == f".:{port}"
        assert is_whoami_reply(c.query("x.org."))


def test_c11_conf_stdin_errors_name_dev_stdin():
    r = run_coredns(["-conf", "stdin"], cwd=empty_dir(), stdin=". {\n foo\n}\n")
    assert r.returncode == 1
    assert r.stderr == b"/dev/stdin:2 - Error during parsing: Unknown directive 'foo'\n"


def test_c12_empty_corefile_falls_back_to_the_default():
    require_plugins("log")
    port = free_port()
    cwd = empty_dir()
    open(os.path.join(cwd, "Corefile"), "w").close()
    with CoreDNS(port=port, cwd=cwd, args=["-dns.port", str(port)]) as c:
        assert first_line(c) == f".:{port}"
        assert is_whoami_reply(c.query("x.org."))
        c.wait_for_line(r'"A IN x\.org\. udp ')


def test_c13_a_taken_tcp_port_is_fatal_with_go_net_text():
    port = free_port()
    taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    taken.bind(("0.0.0.0", port))
    taken.listen()
    try:
        cwd = empty_dir()
        with open(os.path.join(cwd, "Corefile"), "w") as f:
            f.write(f".:{port} {{\n whoami\n}}\n")
        r = run_coredns([], cwd=cwd)
        assert r.returncode == 1
        assert r.stderr == f"Listen: listen tcp :{port}: bind: address already in use\n".encode()
    finally:
        taken.close()


def test_c14_sighup_is_ignored():
    with CoreDNS(".:{port} {\n whoami\n}\n") as c:
        c.signal(signal.SIGHUP)
        time.sleep(0.2)
        assert c.proc.poll() is None
        assert is_whoami_reply(c.query("x.org."))
        assert c.proc.poll() is None


def test_c15_errors_name_the_conf_path_as_given():
    cwd = empty_dir()
    os.makedirs(os.path.join(cwd, "x"))
    with open(os.path.join(cwd, "x", "Corefile"), "w") as f:
        f.write(". {\n foo\n}\n")
    r = run_coredns(["-conf", "./x/Corefile"], cwd=cwd)
    assert r.returncode == 1
    assert r.stderr == b"./x/Corefile:2 - Error during parsing: Unknown directive 'foo'\n"
    assert r.stdout == b""
