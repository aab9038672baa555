"""errors end to end with the real binary: the error line after the log line,
consolidation with its summaries, show_first, the flush on shutdown and reload, and errors from a dead upstream when forward is built in.

The queries that fail go to a zone whose block has no plugin after `log`, so every query there
ends with "plugin/log: no next plugin found"; the harness's readiness probes go to a `.` block
with whoami and are not counted."""
import re
import signal
import time

import dns.rcode
import pytest

from harness import CoreDNS, has_plugin, run_coredns

NO_NEXT = "plugin/log: no next plugin found"


def corefile(errors_block=""):
    block = f"errors {{\n{errors_block}\n }}" if errors_block else "errors"
    return f"example.org:{{port}} {{\n {block}\n log\n}}\n.:{{port}} {{\n whoami\n}}\n"


def fail(c, n=1, name="example.org."):
    for _ in range(n):
        assert c.query(name, use_edns=False).rcode() == dns.rcode.SERVFAIL


def test_r12_log_line_first_then_the_error_line():
    with CoreDNS(corefile()) as c:
        fail(c)
        err = f"[ERROR] plugin/errors: 2 example.org. A: {NO_NEXT}"
        c.wait_for_line(re.escape(err))
        out = c.stdout()
        log = next(i for i, l in enumerate(out) if '"A IN example.org. udp 29 false 512" SERVFAIL' in l)
        assert out.index(err) == log + 1


def test_f5_consolidated_errors_give_one_summary_per_period():
    with CoreDNS(corefile('  consolidate 1s "no next plugin"')) as c:
        start = time.monotonic()
        fail(c, 3)
        line = c.wait_for_line(r"errors like", timeout=5)
        assert time.monotonic() - start >= 0.9
        assert line == "[ERROR] plugin/errors: 3 errors like 'no next plugin' occurred in last 1s"
        assert not c.lines_matching(r"^\[ERROR\] plugin/errors: 2 example\.org\.")
        # The next period starts with the next error.
        fail(c)
        c.wait_for_line(r"1 errors like 'no next plugin' occurred in last 1s$", timeout=5)


def test_f6_show_first_prints_the_first_error_at_the_pattern_level():
    with CoreDNS(corefile('  consolidate 1s "no next plugin" warning show_first')) as c:
        fail(c, 3)
        first = c.wait_for_line(r"plugin/errors: 2 example\.org\.")
        assert first == f"[WARNING] plugin/errors: 2 example.org. A: {NO_NEXT}"
        summary = c.wait_for_line(r"errors like", timeout=5)
        assert summary == ("[WARNING] plugin/errors: 3 errors like 'no next plugin' occurred in "
                           "last 1s")
        assert len(c.lines_matching(r"plugin/errors: 2 example\.org\.")) == 1


def test_f7_show_first_with_a_single_error_has_no_summary():
    with CoreDNS(corefile('  consolidate 500ms "no next plugin" info show_first')) as c:
        fail(c)
        assert c.wait_for_line(r"plugin/errors: 2 example") == \
            f"[INFO] plugin/errors: 2 example.org. A: {NO_NEXT}"
        time.sleep(0.8)
        assert not c.lines_matching("errors like")


def test_errors_other_patterns_do_not_match_are_logged_at_once():
    with CoreDNS(corefile('  consolidate 1h "^plugin/forward"')) as c:
        fail(c, 2)
        c.wait_for_line(r"plugin/errors: 2 example\.org\.")
        time.sleep(0.05)
        assert len(c.lines_matching(r"^\[ERROR\] plugin/errors: 2 example\.org\.")) == 2


def test_f8_pending_counts_are_flushed_at_shutdown():
    with CoreDNS(corefile('  consolidate 5m "no next plugin"')) as c:
        fail(c, 2)
        c.stop(signal.SIGTERM)
        assert "[ERROR] plugin/errors: 2 errors like 'no next plugin' occurred in last 5m0s" \
            in c.stdout()


def test_pending_counts_are_flushed_at_reload_and_the_new_configuration_counts_afresh():
    with CoreDNS(corefile('  consolidate 5m "no next plugin" warning')) as c:
        fail(c, 2)
        c.signal(signal.SIGUSR1)
        c.wait_for_line(r"^\[INFO\] Reloading complete$")
        out = c.stdout()
        summary = "[WARNING] plugin/errors: 2 errors like 'no next plugin' occurred in last 5m0s"
        assert out.index(summary) < out.index("[INFO] Reloading complete")
        fail(c)
        c.stop(signal.SIGTERM)
        assert "[WARNING] plugin/errors: 1 errors like 'no next plugin' occurred in last 5m0s" \
            in c.stdout()


def test_stacktrace_and_stdout_are_accepted():
    with CoreDNS(corefile("  stacktrace").replace("errors {", "errors stdout {")) as c:
        fail(c)
        c.wait_for_line(re.escape(f"[ERROR] plugin/errors: 2 example.org. A: {NO_NEXT}"))


@pytest.mark.parametrize("body,message", [
    ("errors\n errors", "plugin/errors: this plugin can only be used once per Server Block"),
    ("errors errors.txt",
     "plugin/errors: Corefile:2 - Error during parsing: invalid log file: errors.txt"),
    ("errors {\n  consolidate 1m ^a loud\n }",
     "plugin/errors: Corefile:3 - Error during parsing: unknown option in consolidate: loud"),
])
def test_f1_f2_f4_setup_errors_stop_the_start(body, message, tmp_path):
    (tmp_path / "Corefile").write_text(f".:1053 {{\n {body}\n whoami\n}}\n")
    r = run_coredns([], cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.decode().splitlines() == [message]


@pytest.mark.skipif(not has_plugin("forward"), reason="forward not compiled in")
def test_errors_from_a_dead_upstream():
    corefile = "example.org:{port} {\n errors\n forward . 127.0.0.1:1\n}\n.:{port} {\n whoami\n}\n"
    with CoreDNS(corefile) as c:
        r = c.query("example.org.", timeout=15)
        assert r.rcode() == dns.rcode.SERVFAIL
        # The error text is forward's; errors prints it after the query's rcode, name and type.
        c.wait_for_line(r"^\[ERROR\] plugin/errors: 2 example\.org\. A: \S", timeout=15)
