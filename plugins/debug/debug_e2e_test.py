"""debug end to end: accepted without arguments, adds no handler, rejects arguments."""
import os
import tempfile

import dns.rcode

from harness import CoreDNS, free_port, run_coredns


def test_debug_block_serves_its_chain():
    with CoreDNS(".:{port} {\n debug\n whoami\n}\n") as c:
        assert c.query("example.org.").rcode() == dns.rcode.NOERROR


def test_a_block_with_only_debug_refuses():
    corefile = "example.org:{port} {\n debug\n}\n.:{port} {\n whoami\n}\n"
    with CoreDNS(corefile) as c:
        assert c.query("example.org.").rcode() == dns.rcode.REFUSED
        assert c.query("example.net.").rcode() == dns.rcode.NOERROR


def test_debug_with_an_argument_is_fatal():
    cwd = tempfile.mkdtemp(prefix="coredns-e2e-debug-")
    with open(os.path.join(cwd, "Corefile"), "w") as f:
        f.write(f".:{free_port()} {{\n whoami\n debug on\n}}\n")
    r = run_coredns([], cwd=cwd)
    assert r.returncode == 1
    assert r.stderr.decode() == ("plugin/debug: Corefile:3 - Error during parsing: Wrong argument "
                                 "count or unexpected line ending after 'on'\n")
