"""bind end to end: blocks sharing a port on different addresses, interfaces, except, and the
errors CoreDNS gives for overlapping or unusable bindings."""
import os
import socket
import tempfile

import dns.exception
import dns.rcode
import pytest

from harness import CoreDNS, free_port, make_query, query, run_coredns

VERSION = "CoreDNS-1.14.7"


def startup_zones(c):
    c.wait_for_line(f"^{VERSION}$")
    out = c.stdout()
    return sorted(l for l in out[:out.index(VERSION)] if not l.startswith("["))


def answers(address, port, tcp=False):
    """The reply's rcode, or None when nothing listens there."""
    try:
        return query("example.org.", server=address, port=port, tcp=tcp, timeout=0.5).rcode()
    except (OSError, EOFError, dns.exception.Timeout):  # refused, reset or timed out
        return None


def run_error(corefile):
    cwd = tempfile.mkdtemp(prefix="coredns-e2e-bind-")
    with open(os.path.join(cwd, "Corefile"), "w") as f:
        f.write(corefile)
    r = run_coredns([], cwd=cwd)
    return r.returncode, r.stderr.decode()


def test_two_blocks_on_one_port_answer_with_their_own_chain():
    corefile = (".:{port} {\n bind 127.0.0.1\n whoami\n}\n"
                ".:{port} {\n bind 127.0.0.2\n}\n")
    with CoreDNS(corefile) as c:
        assert startup_zones(c) == [f".:{c.port} on 127.0.0.1", f".:{c.port} on 127.0.0.2"]
        for tcp in (False, True):
            assert answers("127.0.0.1", c.port, tcp) == dns.rcode.NOERROR  # whoami
            assert answers("127.0.0.2", c.port, tcp) == dns.rcode.REFUSED  # no plugins
            assert answers("127.0.0.3", c.port, tcp) is None               # not bound
            assert answers("::1", c.port, tcp) is None


def test_bound_reply_comes_from_the_bound_address():
    with CoreDNS(".:{port} {\n bind 127.0.0.2\n whoami\n}\n", ready_host="127.0.0.2") as c:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(2)
        try:
            s.sendto(make_query("example.org.").to_wire(), ("127.0.0.2", c.port))
            _, source = s.recvfrom(65535)
        finally:
            s.close()
        assert source == ("127.0.0.2", c.port)


def test_an_interface_name_binds_its_addresses():
    with CoreDNS(".:{port} {\n bind lo\n whoami\n}\n") as c:
        assert startup_zones(c) == [f".:{c.port} on 127.0.0.1", f".:{c.port} on ::1"]
        assert answers("127.0.0.1", c.port) == dns.rcode.NOERROR
        assert answers("::1", c.port, tcp=True) == dns.rcode.NOERROR
        assert answers("127.0.0.2", c.port) is None  # lo's address is 127.0.0.1/8, not the range


def test_except_leaves_an_address_out():
    with CoreDNS(".:{port} {\n bind lo {\n  except ::1\n }\n whoami\n}\n") as c:
        assert startup_zones(c) == [f".:{c.port} on 127.0.0.1"]
        assert answers("127.0.0.1", c.port) == dns.rcode.NOERROR
        assert answers("::1", c.port) is None


def test_excepting_everything_listens_nowhere():
    other = free_port()
    corefile = (".:{port} {\n whoami\n}\n"
                f".:{other} {{\n bind 127.0.0.1 {{\n  except 127.0.0.1\n }}\n whoami\n}}\n")
    with CoreDNS(corefile) as c:
        assert startup_zones(c) == [f".:{c.port}"]
        assert answers("127.0.0.1", other) is None


def test_a_bound_zone_beside_an_unbound_one_on_the_same_port():
    corefile = ("example.org:{port} {\n bind 127.0.0.2\n whoami\n}\n"
                ".:{port} {\n}\n")
    with CoreDNS(corefile) as c:
        assert startup_zones(c) == [f".:{c.port}", f"example.org.:{c.port} on 127.0.0.2"]
        assert answers("127.0.0.2", c.port) == dns.rcode.NOERROR
        assert answers("127.0.0.1", c.port) == dns.rcode.REFUSED  # the wildcard server's `.`


def test_bound_then_unbound_same_zone_is_an_overlap():
    port = free_port()
    code, err = run_error(f".:{port} {{\n bind 127.0.0.1\n whoami\n}}\n.:{port} {{\n whoami\n}}\n")
    assert code == 1
    assert err == (f"cannot serve dns://.:{port} - zone overlap listener capacity with "
                   f"dns://.:{port} on 127.0.0.1\n")


def test_unbound_then_bound_same_zone_is_an_overlap():
    port = free_port()
    code, err = run_error(f".:{port} {{\n whoami\n}}\n.:{port} {{\n bind 127.0.0.1\n whoami\n}}\n")
    assert code == 1
    assert err == (f"cannot serve dns://.:{port} on 127.0.0.1 - zone overlap listener capacity "
                   f"with dns://.:{port}\n")


def test_same_zone_bound_twice_to_one_address():
    port = free_port()
    code, err = run_error(f".:{port} {{\n bind 127.0.0.1 ::1 127.0.0.1\n whoami\n}}\n")
    assert code == 1
    assert err == f"cannot serve dns://.:{port} on 127.0.0.1 - it is already defined\n"


def test_an_address_this_host_does_not_have():
    port = free_port()
    code, err = run_error(f".:{port} {{\n bind 192.0.2.1\n whoami\n}}\n")
    assert code == 1
    assert err == f"Listen: listen tcp 192.0.2.1:{port}: bind: cannot assign requested address\n"


@pytest.mark.parametrize("body,message", [
    ("bind", "plugin/bind: at least one address or interface name is expected"),
    ("bind nosuchif0", 'plugin/bind: not a valid IP address or interface name: "nosuchif0"'),
    ("bind 127.0.0.1 {\n  except\n }",
     "plugin/bind: at least one address or interface must be given to except subdirective"),
    ("bind 127.0.0.1 {\n  only ::1\n }", 'plugin/bind: invalid option "only"'),
])
def test_setup_errors(body, message):
    code, err = run_error(f".:{free_port()} {{\n {body}\n whoami\n}}\n")
    assert code == 1
    assert err == message + "\n"
