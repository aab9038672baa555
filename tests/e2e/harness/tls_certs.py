"""Certificates for DNS-over-TLS tests, made with the openssl command line in a directory.

    ca = CA(tmpdir)                                   # ca.cert, ca.key
    server = ca.issue("server", dns=["dns.test"], ips=["127.0.0.1"])
    old = ca.issue("old", dns=["dns.test"], expired=True)
    client = ca.issue("client", client=True)          # server.cert, server.key ...

`python3 tls_certs.py DIR` writes the standard set (standard_set() below) for tests outside
Python, such as core's unit tests.
"""
import os
import subprocess
import sys
from collections import namedtuple

Pair = namedtuple("Pair", "cert key")


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


class CA:
    """A self-signed P-256 CA in `directory` (files NAME.pem, NAME.key)."""

    def __init__(self, directory, name="ca", subject="coredns-cpp test CA"):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self.cert = os.path.join(directory, name + ".pem")
        self.key = os.path.join(directory, name + ".key")
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", self.key, "-out", self.cert, "-subj", "/CN=" + subject, "-days", "30",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)

    def issue(self, name, dns=(), ips=(), expired=False, client=False):
        """A leaf certificate NAME.pem/NAME.key signed by this CA: a TLS server certificate with
        the given DNS and IP SANs, or a client certificate; `expired` ended yesterday."""
        cert = os.path.join(self.dir, name + ".pem")
        key = os.path.join(self.dir, name + ".key")
        csr = os.path.join(self.dir, name + ".csr")
        ext = os.path.join(self.dir, name + ".ext")
        _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", key, "-out", csr, "-subj", "/CN=" + (dns[0] if dns else name),
                 cwd=self.dir)
        sans = [f"DNS:{d}" for d in dns] + [f"IP:{i}" for i in ips]
        lines = ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature",
                 "extendedKeyUsage=" + ("clientAuth" if client else "serverAuth")]
        if sans:
            lines.append("subjectAltName=" + ",".join(sans))
        with open(ext, "w") as f:
            f.write("\n".join(lines) + "\n")
        # -days -1: valid from now to yesterday, which every verifier reads as expired.
        _openssl("x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key,
                 "-CAcreateserial", "-out", cert, "-days", "-1" if expired else "30",
                 "-extfile", ext, cwd=self.dir)
        os.remove(csr)
        os.remove(ext)
        return Pair(cert, key)


def standard_set(directory):
    """ca: server (dns.test, 127.0.0.1, ::1), expired (same names, ended yesterday), noip
    (dns.test only), client (a client certificate); other-ca: other and other-client (a server
    certificate like `server` and a client certificate from a CA nobody trusts)."""
    ca = CA(directory)
    ca.issue("server", dns=["dns.test"], ips=["127.0.0.1", "::1"])
    ca.issue("expired", dns=["dns.test"], ips=["127.0.0.1", "::1"], expired=True)
    ca.issue("noip", dns=["dns.test"])
    ca.issue("client", client=True)
    other = CA(directory, name="other-ca", subject="untrusted test CA")
    other.issue("other", dns=["dns.test"], ips=["127.0.0.1", "::1"])
    other.issue("other-client", client=True)
    return ca, other


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tls_certs.py DIR")
    standard_set(sys.argv[1])
