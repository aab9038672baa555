"""ready end to end: /ready with curl, the directive's errors, sharing an address with health,
and 503 during lameduck on every connection (kept-alive ones too, unlike CoreDNS #4099).

No plugin of this build reports readiness yet, so the 503 listing not-ready plugins is covered by
the unit tests (plugins/ready/ready_test.cpp) with probes."""
import os
import signal
import tempfile

import pytest

from harness import CoreDNS, curl, free_port, keep_alive, run_coredns, tcp_listeners


def block(lines, port="{port}"):
    body = "".join(f" {l}\n" for l in lines)
    return f".:{port} {{\n{body} whoami\n}}\n"


def run_config(text):
    d = tempfile.mkdtemp(prefix="ready-e2e-")
    with open(os.path.join(d, "Corefile"), "w") as f:
        f.write(text)
    return run_coredns([], cwd=d)


def test_ready_answers_200_ok_once_serving():
    rp = free_port()
    with CoreDNS(block([f"ready 127.0.0.1:{rp}"])):
        r = curl(f"http://127.0.0.1:{rp}/ready")
        assert (r.status, r.body) == (200, "OK")
        assert r.headers["content-type"] == "text/plain; charset=utf-8"
        assert curl(f"http://127.0.0.1:{rp}/health").status == 404


@pytest.mark.parametrize("lines,error", [
    (["ready localhost"], "plugin/ready: address localhost: missing port in address"),
    (["ready :1 :2"], "plugin/ready: Corefile:2 - Error during parsing: Wrong argument count or "
                      "unexpected line ending after ':2'"),
    (["ready :18181", "ready :18182"],
     "plugin/ready: this plugin can only be used once per Server Block"),
])
def test_configuration_errors(lines, error):
    r = run_config(block(lines, port=free_port()))
    assert r.returncode == 1
    assert r.stderr.decode().splitlines() == [error]


def test_ready_and_health_share_one_address():
    p = free_port()
    with CoreDNS(block([f"ready 127.0.0.1:{p}", f"health 127.0.0.1:{p}"])):
        assert tcp_listeners(p) == 1
        assert curl(f"http://127.0.0.1:{p}/ready").body == "OK"
        assert curl(f"http://127.0.0.1:{p}/health").body == "OK"


def test_lameduck_turns_ready_503_on_every_connection_while_health_stays_200():
    p = free_port()
    c = CoreDNS(block([f"ready 127.0.0.1:{p}", f"health 127.0.0.1:{p} {{\n  lameduck 1s\n }}"]))
    with c:
        kept = keep_alive(p)
        assert kept.get("/ready") == (200, "OK")
        c.signal(signal.SIGTERM)
        c.wait_for_line(r"^\[INFO\] plugin/health: Going into lameduck mode for 1s$", timeout=5)
        assert kept.get("/ready") == (503, "Shutting down")
        fresh = curl(f"http://127.0.0.1:{p}/ready")
        assert (fresh.status, fresh.body) == (503, "Shutting down")
        assert curl(f"http://127.0.0.1:{p}/health").status == 200
        kept.close()
        c.proc.wait(10)
    assert c.proc.returncode == 0


def test_sigusr1_reload_keeps_ready_and_moves_it_when_changed():
    first, second = free_port(), free_port()
    with CoreDNS(block([f"ready 127.0.0.1:{first}"])) as c:
        kept = keep_alive(first)
        assert kept.get("/ready") == (200, "OK")
        c.write_corefile(block([f"ready 127.0.0.1:{first}", "health 127.0.0.1:%d" % first]))
        c.signal(signal.SIGUSR1)
        c.wait_for_line(r"^\[INFO\] Reloading complete$")
        assert kept.get("/ready") == (200, "OK")
        assert kept.get("/health") == (200, "OK")  # the new route, on the old connection
        start = len(c.stdout())
        c.write_corefile(block([f"ready 127.0.0.1:{second}"]))
        c.signal(signal.SIGUSR1)
        c.wait_for_line(r"^\[INFO\] Reloading complete$", start=start)
        assert curl(f"http://127.0.0.1:{second}/ready").status == 200
        assert curl(f"http://127.0.0.1:{first}/ready").status is None
        kept.close()
