"""End-to-end tests of the Corefile's nat64 directive: the real coredns supervising the real nat64
program (NAT64_BIN), in a network namespace each test creates, where the child's TUN device
appears. Needs root (CAP_NET_ADMIN for the TUN device, CAP_SYS_ADMIN for the namespace); skipped
otherwise. The namespace, with every process left in it, is removed even on failure."""
import os
import re
import signal
import subprocess
import time

import pytest

from harness import CoreDNS, require_plugins, run_coredns
from harness.netns import CAP_NET_ADMIN, CAP_SYS_ADMIN, NetNs, has_caps

NAT64 = os.path.abspath(os.environ["NAT64_BIN"]) if os.environ.get("NAT64_BIN") else ""
STARTED = r"\[INFO\] plugin/nat64: started \S+ \(pid (\d+)\)"

pytestmark = pytest.mark.skipif(not NAT64 or not os.access(NAT64, os.X_OK),
                                reason="set NAT64_BIN to the nat64 program (ctest does)")


@pytest.fixture(autouse=True)
def nat64_compiled_in():
    require_plugins("nat64")


@pytest.fixture
def netns():
    if not has_caps(CAP_NET_ADMIN, CAP_SYS_ADMIN):
        pytest.skip("needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) for a network namespace and a TUN device")
    with NetNs("n64d") as ns:
        yield ns


# 64:ff9b::/96 would refuse 192.0.2.1 (not global); the local-use prefix takes it (RFC 8215).
PREFIX = "64:ff9b:1::/96"


def tayga_conf(tun, prefix=PREFIX, data_dir=None):
    lines = [f"tun-device {tun}", "ipv4-addr 192.0.2.1", f"prefix {prefix}", "dynamic-pool 192.0.2.128/25"]
    if data_dir:
        lines.append(f"data-dir {data_dir}")
    return lines


def inline_corefile(tun, prefix=PREFIX, extra=""):
    body = "".join(f"    {l}\n" for l in tayga_conf(tun, prefix))
    return f".:{{port}} {{\n  whoami\n{extra}  nat64 {{\n    binary {NAT64}\n{body}  }}\n}}\n"


def has_link(tun):
    return subprocess.run(["ip", "link", "show", "dev", tun], capture_output=True).returncode == 0


def alive(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return not any(l.startswith("State:") and "Z" in l.split()[1] for l in f)
    except FileNotFoundError:
        return False


def parent_of(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(next(l.split()[1] for l in f if l.startswith("PPid:")))


def wait_until(cond, what, timeout=10):
    deadline = time.time() + timeout
    while not cond():
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.05)


def started_pid(c, start=0):
    """The pid of the next child coredns says it started, from log line `start` on."""
    return int(re.search(STARTED, c.wait_for_line(STARTED, start=start)).group(1))


def reload(c, corefile=None):
    mark = len(c.stdout())
    if corefile is not None:
        c.write_corefile(corefile)
    c.signal(signal.SIGUSR1)
    c.wait_for_line(r"\[INFO\] Reloading complete", start=mark)
    return mark


def test_inline_child_started_restarted_and_stopped(netns):
    tun = "n64inline0"
    c = CoreDNS(inline_corefile(tun))
    with c:
        pid = started_pid(c)
        assert parent_of(pid) == c.proc.pid
        wait_until(lambda: has_link(tun), f"{tun} appears")
        c.wait_for_line(rf"\[INFO\] plugin/nat64: Using tun device {tun}")  # the child's own log
        assert c.query("example.org", "A", server="127.0.0.1")  # DNS serves alongside

        mark = len(c.stdout())
        os.kill(pid, signal.SIGKILL)
        c.wait_for_line(rf"\[ERROR\] plugin/nat64: nat64 \(pid {pid}\) was killed by signal 9 \(Killed\); "
                        r"restarting in 1s$", start=mark)
        # The TUN device goes with the process (the next one is the new one's); on the io_uring
        # path the kernel lets go of the ring's reference to it from a work queue, just after.
        wait_until(lambda: not has_link(tun), f"{tun} gone with the killed child")
        again = started_pid(c, start=mark)
        assert again != pid and parent_of(again) == c.proc.pid
        wait_until(lambda: has_link(tun), f"{tun} is back")
    # coredns stopped (SIGTERM): the child with it, and its TUN device.
    assert c.proc.returncode == 0
    # SIGTERM may reach the restarted child before it installed its handler: killed then, not exited.
    assert c.lines_matching(rf"\[INFO\] plugin/nat64: stopped nat64 \(pid {again}\): it (exited with status 0|"
                            r"was killed by signal 15 \(Terminated\))$"), c.stdout()
    assert not alive(again)
    # A child killed by the signal (not exited) leaves its io_uring ring to the kernel's work
    # queue, which lets go of the device just after.
    wait_until(lambda: not has_link(tun), f"{tun} gone with the stopped child")


def test_child_ends_with_a_killed_coredns(netns):
    tun = "n64orphan0"
    with CoreDNS(inline_corefile(tun)) as c:
        pid = started_pid(c)
        wait_until(lambda: has_link(tun), f"{tun} appears")
        c.proc.kill()
        c.proc.wait()
        # PR_SET_PDEATHSIG: nothing of coredns's keeps translating after it is gone.
        wait_until(lambda: not alive(pid), f"nat64 (pid {pid}) exits after its parent")
        wait_until(lambda: not has_link(tun), f"{tun} is removed")


def test_reload_keeps_replaces_and_stops_the_child(netns):
    c = CoreDNS()
    conf = os.path.join(c.dir, "tayga.conf")
    with open(conf, "w") as f:
        f.write("".join(l + "\n" for l in tayga_conf("n64file0", data_dir=os.path.join(c.dir, "data"))))
    by_path = f".:{{port}} {{\n  whoami\n  nat64 {conf} {{\n    binary {NAT64}\n  }}\n}}\n"
    c.write_corefile(by_path)
    with c:
        first = started_pid(c)
        wait_until(lambda: has_link("n64file0"), "n64file0 appears")

        # Unchanged: the same process goes on.
        mark = reload(c)
        c.wait_for_line(rf"\[INFO\] plugin/nat64: nat64 \(pid {first}\) keeps running: its configuration did not "
                        r"change$", start=mark)
        assert alive(first) and not re.search(STARTED, "\n".join(c.stdout()[mark:]))

        # The tayga.conf changed under the same Corefile: replaced, the old one gone first.
        with open(conf, "w") as f:
            f.write("".join(l + "\n" for l in tayga_conf("n64file1", data_dir=os.path.join(c.dir, "data"))))
        mark = reload(c)
        second = started_pid(c, start=mark)
        stopped = c.wait_for_line(rf"plugin/nat64: stopped nat64 \(pid {first}\)", start=mark)
        lines = c.stdout()
        assert lines.index(stopped) < next(i for i, l in enumerate(lines) if re.search(rf"\(pid {second}\)", l))
        assert not alive(first)
        wait_until(lambda: has_link("n64file1") and not has_link("n64file0"), "n64file1 replaces n64file0")

        # The inline form instead: replaced again.
        mark = reload(c, inline_corefile("n64inline1"))
        third = started_pid(c, start=mark)
        c.wait_for_line(rf"plugin/nat64: stopped nat64 \(pid {second}\)", start=mark)
        wait_until(lambda: has_link("n64inline1") and not has_link("n64file1"), "n64inline1 replaces n64file1")

        # A Corefile without nat64: the child is stopped, DNS goes on.
        mark = reload(c, ".:{port} {\n  whoami\n}\n")
        c.wait_for_line(rf"plugin/nat64: stopped nat64 \(pid {third}\)", start=mark)
        wait_until(lambda: not alive(third) and not has_link("n64inline1"), "the child and its TUN are gone")
        assert c.query("example.org", "A", server="127.0.0.1")

        # And back: a new child.
        mark = reload(c, inline_corefile("n64inline1"))
        fourth = started_pid(c, start=mark)
        wait_until(lambda: has_link("n64inline1"), "n64inline1 is back")
    assert not alive(fourth)
    wait_until(lambda: not has_link("n64inline1"), "n64inline1 gone with the stopped child")  # as above


def test_failed_reload_keeps_the_child(netns):
    with CoreDNS(inline_corefile("n64keep0")) as c:
        pid = started_pid(c)
        mark = len(c.stdout())
        c.write_corefile(".:{port} {\n  nat64 {\n    tun-device n64keep1\n  }\n}\n")
        c.signal(signal.SIGUSR1)
        c.wait_for_line(r"\[ERROR\] Restart failed: .*Corefile:2 - Error during parsing: missing required directive "
                        r"'ipv4-addr'", start=mark)
        time.sleep(0.5)
        assert alive(pid) and has_link("n64keep0")
        assert not c.lines_matching(rf"stopped nat64 \(pid {pid}\)")


def test_prefix_mismatch_warning(netns):
    require_plugins("dns64")
    with CoreDNS(inline_corefile("n64warn0", extra="  dns64\n")) as c:
        started_pid(c)
        assert c.lines_matching(r"plugin/nat64: dns64 at") == [
            "[WARNING] plugin/nat64: dns64 at Corefile:3 synthesizes into 64:ff9b::/96 but nat64 at Corefile:4 "
            f"translates {PREFIX}: clients would get IPv6 addresses this nat64 does not translate"]
    with CoreDNS(inline_corefile("n64warn1", extra=f"  dns64 {{\n    prefix {PREFIX}\n  }}\n")) as c:
        started_pid(c)
        assert not c.lines_matching(r"dns64 at")


def test_config_errors_name_the_corefile_line():
    c = CoreDNS(inline_corefile("n64bad0").replace("ipv4-addr 192.0.2.1", "ipv4-addr 192.0.2"))
    r = run_coredns([], cwd=c.dir)
    assert r.returncode == 1
    assert ("plugin/nat64: Corefile:6 - Error during parsing: invalid IPv4 address '192.0.2'"
            in r.stderr.decode()), r.stderr.decode()
