"""health end to end: CoreDNS's plugin/health/README.md, plus where docs/http-and-metrics.md goes
beyond CoreDNS: one bind per address, and an endpoint that stays bound across a reload."""
import os
import signal
import socket
import tempfile
import threading
import time

import pytest

from harness import CoreDNS, curl, dig, free_port, keep_alive, run_coredns, tcp_listeners


def block(health, port="{port}"):
    return f".:{port} {{\n {health}\n whoami\n}}\n"


def run_config(text):
    """Starts coredns on ./Corefile = text in a fresh directory and waits for it to exit."""
    d = tempfile.mkdtemp(prefix="health-e2e-")
    with open(os.path.join(d, "Corefile"), "w") as f:
        f.write(text)
    return run_coredns([], cwd=d)


def free_tcp(port):
    s = socket.socket()
    try:
        s.bind(("", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


class Hog:
    """Holds a TCP port on every address, as another program would."""

    def __init__(self):
        self.port = free_port()
        self.sock = socket.socket()
        self.sock.bind(("", self.port))
        self.sock.listen(1)

    def close(self):
        self.sock.close()


def test_h1_health_ok_head_and_404s():
    hp = free_port()
    with CoreDNS(block(f"health 127.0.0.1:{hp}")):
        url = f"http://127.0.0.1:{hp}"
        r = curl(url + "/health")
        assert (r.status, r.body) == (200, "OK")
        assert r.headers["content-type"] == "text/plain; charset=utf-8"
        head = curl(url + "/health", method="HEAD")
        assert (head.status, head.body) == (200, "")
        assert curl(url + "/health?verbose=1").status == 200
        assert curl(url + "/health", method="POST").status == 200
        for path in ("/", "/health/", "/metrics"):
            r = curl(url + path)
            assert (r.status, r.body) == (404, "404 page not found\n"), path


def test_h1_default_address_is_8080():
    if not free_tcp(8080):
        pytest.skip("port 8080 is in use on this machine")
    with CoreDNS(block("health")):
        assert curl("http://127.0.0.1:8080/health").status == 200


def test_h2_served_on_the_given_address_only():
    hp = free_port()
    with CoreDNS(block(f"health 127.0.0.1:{hp}")):
        assert curl(f"http://127.0.0.1:{hp}/health").status == 200
        assert curl(f"http://127.0.0.2:{hp}/health").status is None


@pytest.mark.parametrize("health,error", [
    ("health localhost", "plugin/health: address localhost: missing port in address"),
    ("health :1 :2", "plugin/health: Corefile:2 - Error during parsing: Wrong argument count or "
                     "unexpected line ending after ':2'"),
    ("health {\n lameduck\n }", "plugin/health: Corefile:3 - Error during parsing: Wrong "
                                "argument count or unexpected line ending after 'lameduck'"),
    ("health {\n lameduck x\n }", "plugin/health: unable to parse lameduck duration value: 'x' "
                                  ": time: invalid duration \"x\""),
    ("health {\n foo\n }", "plugin/health: Corefile:3 - Error during parsing: unknown property "
                           "'foo'"),
])
def test_h3_h4_h5_configuration_errors(health, error):
    r = run_config(block(health, port=free_port()))
    assert r.returncode == 1
    assert r.stderr.decode().splitlines() == [error]


def test_h7_a_port_in_use_is_fatal_with_gos_text():
    hog = Hog()
    try:
        r = run_config(block(f"health :{hog.port}", port=free_port()))
    finally:
        hog.close()
    assert r.returncode == 1
    assert r.stderr.decode().splitlines() == [
        f"listen tcp :{hog.port}: bind: address already in use"]


def test_h6_lameduck_keeps_dns_and_health_serving_then_exits_0():
    hp = free_port()
    c = CoreDNS(block(f"health 127.0.0.1:{hp} {{\n  lameduck 2s\n }}"))
    with c:
        c.signal(signal.SIGTERM)
        sent = time.monotonic()
        c.wait_for_line(r"^\[INFO\] plugin/health: Going into lameduck mode for 2s$", timeout=5)
        health, dns = [], []
        while c.proc.poll() is None and time.monotonic() - sent < 1.8:
            health.append(curl(f"http://127.0.0.1:{hp}/health", timeout=1).status)
            dns.append("status: NOERROR" in dig("example.org", port=c.port, timeout=3))
            time.sleep(0.1)
        c.proc.wait(10)
        elapsed = time.monotonic() - sent
    out = c.stdout()
    assert "[INFO] SIGTERM: Shutting down servers then terminating" in out
    assert out.index("[INFO] SIGTERM: Shutting down servers then terminating") < \
        out.index("[INFO] plugin/health: Going into lameduck mode for 2s")
    assert len(health) >= 3 and set(health) == {200}
    assert all(dns)
    assert c.proc.returncode == 0
    assert 2.0 <= elapsed < 5.0
    assert curl(f"http://127.0.0.1:{hp}/health", timeout=1).status is None


def test_two_blocks_naming_one_address_bind_it_once():
    hp = free_port()
    text = (f".:{{port}} {{\n health 127.0.0.1:{hp}\n whoami\n}}\n"
            f"example.org:{{port}} {{\n health 127.0.0.1:{hp}\n whoami\n}}\n")
    with CoreDNS(text):
        assert tcp_listeners(hp) == 1
        assert curl(f"http://127.0.0.1:{hp}/health").status == 200


def test_sigusr1_reload_keeps_an_unchanged_endpoint_bound():
    hp = free_port()
    with CoreDNS(block(f"health 127.0.0.1:{hp}")) as c:
        conn = keep_alive(hp)
        assert conn.get("/health") == (200, "OK")
        local = conn.sock.getsockname()
        failures, stop = [], threading.Event()

        def poll():
            while not stop.is_set():
                if curl(f"http://127.0.0.1:{hp}/health", timeout=1).status != 200:
                    failures.append(time.monotonic())
                time.sleep(0.01)

        poller = threading.Thread(target=poll)
        poller.start()
        try:
            for n in range(3):
                c.write_corefile(block(f"health 127.0.0.1:{hp}") + "\n" * (n + 1))
                start = len(c.stdout())
                c.signal(signal.SIGUSR1)
                c.wait_for_line(r"^\[INFO\] Reloading complete$", start=start)
        finally:
            stop.set()
            poller.join()
        assert failures == []
        # The same kept-alive connection still gets answers: the listener was never closed.
        assert conn.get("/health") == (200, "OK")
        assert conn.sock.getsockname() == local
        assert tcp_listeners(hp) == 1
        conn.close()


def test_sigusr1_reload_moves_a_changed_endpoint():
    old, new = free_port(), free_port()
    with CoreDNS(block(f"health 127.0.0.1:{old}")) as c:
        assert curl(f"http://127.0.0.1:{old}/health").status == 200
        c.write_corefile(block(f"health 127.0.0.1:{new}"))
        c.signal(signal.SIGUSR1)
        c.wait_for_line(r"^\[INFO\] Reloading complete$")
        assert curl(f"http://127.0.0.1:{new}/health").status == 200
        assert curl(f"http://127.0.0.1:{old}/health").status is None


def test_a_reload_that_cannot_bind_keeps_the_old_endpoint():
    old = free_port()
    hog = Hog()
    try:
        with CoreDNS(block(f"health 127.0.0.1:{old}")) as c:
            c.write_corefile(block(f"health :{hog.port}"))
            c.signal(signal.SIGUSR1)
            c.wait_for_line(r"^\[ERROR\] Restart failed: listen tcp :%d: bind: address already in "
                            r"use$" % hog.port)
            assert curl(f"http://127.0.0.1:{old}/health").status == 200
            assert "status: NOERROR" in dig("example.org", port=c.port)
    finally:
        hog.close()
