"""Corefile errors as the process reports them (CoreDNS's and Caddy's messages, a representative
set): exit status 1 and exactly one line on stderr, CoreDNS's text, nothing served."""
import os
import tempfile

import pytest

from harness import free_port, run_coredns


def run_with(corefile, files=None, args=()):
    """Runs coredns in a fresh directory holding ./Corefile (and `files`)."""
    cwd = tempfile.mkdtemp(prefix="coredns-e2e-err-")
    with open(os.path.join(cwd, "Corefile"), "w") as f:
        f.write(corefile)
    for name, text in (files or {}).items():
        with open(os.path.join(cwd, name), "w") as f:
            f.write(text)
    return run_coredns(list(args), cwd=cwd)


CASES = {
    "P2": (". { whoami }\n",
           "Corefile:1 - Error during parsing: Unexpected '}' because no matching opening brace"),
    "P3": (". {\n whoami }\n",
           "Corefile:2 - Error during parsing: Unexpected '}' because no matching opening brace"),
    "P8": ("example.org\nwhoami\nexample.net {\n}\n",
           "Corefile:3 - Error during parsing: Unknown directive 'example.net'"),
    "P10": ("a, {\n}\n",
            "Corefile:1 - Error during parsing: Expected another address but had '{' - check "
            "for extra comma"),
    "P12": (". {\n foo\n}\n", "Corefile:2 - Error during parsing: Unknown directive 'foo'"),
    "P13": (". {\n whoami\n", "Corefile:2 - Syntax error: Unexpected token 'whoami', expecting '}'"),
    "P14": (". {", "Corefile:1 - Syntax error: Unexpected token '{', expecting '}'"),
    "S3": (". {\n import snip\n}\n(snip) {\n whoami\n}\n",
           "Corefile:2 - Error during parsing: File to import not found: snip"),
    "S4": ("(snip) {\n whoami\n}\n(snip) {\n whoami\n}\n",
           "Corefile:4 - Error during parsing: redeclaration of previously declared snippet snip"),
    "S6": (". {\n import snip a\n}\n",
           "Corefile:2 - Error during parsing: Import takes only one argument (glob pattern or "
           "file)"),
    "I2": (". {\n import nothere.conf\n}\n",
           "Corefile:2 - Error during parsing: File to import not found: nothere.conf"),
    "K15": ("example.org: {\n whoami\n}\n",
            'error inspecting server blocks: expecting data after last colon: "example.org:"'),
    "K16": ("example..org {\n whoami\n}\n",
            "error inspecting server blocks: zone is not a valid domain name: example..org"),
    "K17": (":53 {\n whoami\n}\n",
            "error inspecting server blocks: zone is not a valid domain name: "),
    "K18": ("::1/128 {\n whoami\n}\n", "error inspecting server blocks: invalid CIDR ::1/128"),
    "K20": ("example.org:{port} {\n whoami\n}\nexample.org:{port} {\n whoami\n}\n",
            "cannot serve dns://example.org.:{port} - it is already defined"),
    "K21": ("example.org:{port} example.org:{port} {\n whoami\n}\n",
            "cannot serve dns://example.org.:{port} - it is already defined"),
    "K22": ("10.0.0.0/24:{port} 0.0.10.in-addr.arpa:{port} {\n whoami\n}\n",
            "cannot serve dns://0.0.10.in-addr.arpa.:{port} - it is already defined"),
    "K24": ("example.org:99999 {\n whoami\n}\n", "address 99999: invalid port"),
    "whoami-arg": (". {\n whoami foo\n}\n",
                   "plugin/whoami: Corefile:2 - Error during parsing: Wrong argument count or "
                   "unexpected line ending after 'foo'"),
    "transport": ("quic://.:{port} {\n whoami\n}\n",
                  "cannot serve quic://.:{port} - the quic transport is not supported by this "
                  "build, only dns:// and tls://"),
    "tls-without-certificate": ("tls://.:{port} {\n whoami\n}\n",
                                "cannot serve tls://.:{port} - a tls:// server block needs the "
                                "tls directive (tls CERT KEY [CA])"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_error_exits_1_with_the_exact_line(case):
    corefile, expected = CASES[case]
    port = str(free_port())
    r = run_with(corefile.replace("{port}", port))
    assert r.returncode == 1
    assert r.stderr.decode() == expected.replace("{port}", port) + "\n"
    assert r.stdout == b""


def test_errors_in_imported_files_name_that_file():
    cwd = tempfile.mkdtemp(prefix="coredns-e2e-err-")
    os.makedirs(os.path.join(cwd, "zones"))
    with open(os.path.join(cwd, "zones", "a.conf"), "w") as f:
        f.write(f"a.org:{free_port()} {{\n whoami\n}}\n")
    with open(os.path.join(cwd, "zones", "b.conf"), "w") as f:
        f.write("b.org {\n  bogus\n}\n")
    with open(os.path.join(cwd, "Corefile"), "w") as f:
        f.write("import zones/*.conf\n")
    r = run_coredns([], cwd=cwd)
    assert r.returncode == 1
    path = os.path.join(cwd, "zones", "b.conf")  # absolute, as the import resolved it
    assert r.stderr.decode() == f"{path}:2 - Error during parsing: Unknown directive 'bogus'\n"


def test_a_known_directive_that_is_not_built_points_at_plugin_cfg():
    r = run_with(". {\n kubernetes\n}\n")
    assert r.returncode == 1
    assert r.stderr.decode() == (
        "Corefile:2 - Error during parsing: Unknown directive 'kubernetes': this build does not "
        "include the kubernetes plugin (add it to plugin.cfg and rebuild)\n")
