import re
import socket
import struct
import subprocess

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rdatatype


def make_query(name, rdtype="A", rdclass="IN", want_dnssec=False, use_edns=None, payload=1232,
               options=None, flags=None, qid=None):
    q = dns.message.make_query(name, rdtype, rdclass, use_edns=use_edns, want_dnssec=want_dnssec,
                               payload=payload, options=options)
    if flags is not None:
        q.flags = flags
    if qid is not None:
        q.id = qid
    return q


def query(name, rdtype="A", server="127.0.0.1", port=53, tcp=False, timeout=3, **kw):
    """Sends one query with dnspython and returns the parsed reply."""
    q = make_query(name, rdtype, **kw)
    if tcp:
        return dns.query.tcp(q, server, port=port, timeout=timeout)
    return dns.query.udp(q, server, port=port, timeout=timeout, ignore_trailing=True)


def query_ready(server, port):
    s = socket.socket(socket.AF_INET6 if ":" in server else socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(0.2)
        q = dns.message.make_query("ready.probe.", "A").to_wire()
        s.sendto(q, (server, port))
        s.recvfrom(65535)
        return True
    except OSError:
        return False
    finally:
        s.close()


def dig(*args, server="127.0.0.1", port=53, timeout=10):
    """Runs dig against the server; returns its stdout."""
    cmd = ["dig", f"@{server}", "-p", str(port), "+tries=1", "+time=3"] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout).stdout


def kdig(*args, server="127.0.0.1", port=53, timeout=10):
    cmd = ["kdig", f"@{server}", "-p", str(port), "+retry=0", "+timeout=3"] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout).stdout


def dig_status(out):
    """The status of a dig/kdig reply ("NOERROR", "NXDOMAIN", ...); None if it printed none."""
    m = re.search(r"status: (\w+)", out)
    return m.group(1) if m else None


def answer_lines(out):
    """The answer lines of dig/kdig +noall +answer output, as 'owner ttl type data'."""
    return [" ".join(l.split()[:2] + l.split()[3:]) for l in out.splitlines()
            if l and not l.startswith(";")]


def read_exact(sock, n):
    """n bytes from a stream socket (a TCP or TLS connection); EOFError if it closes first."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return data


def raw_udp(data, port, server="127.0.0.1", timeout=1.0):
    """Sends raw bytes; returns the reply bytes or None when nothing came back."""
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(data, (server, port))
        return s.recvfrom(65535)[0]
    except socket.timeout:
        return None
    finally:
        s.close()


def raw_tcp(frames, port, server="127.0.0.1", timeout=2.0, expect=None):
    """Sends length-prefixed frames on one connection; returns the reply messages read (up to
    `expect` of them, default one per frame)."""
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    s = socket.create_connection((server, port), timeout=timeout) if family == socket.AF_INET \
        else socket.create_connection((server, port, 0, 0), timeout=timeout)
    try:
        s.sendall(b"".join(struct.pack("!H", len(f)) + f for f in frames))
        want = len(frames) if expect is None else expect
        out = []
        buf = b""
        while len(out) < want:
            try:
                chunk = s.recv(65535)
            except socket.timeout:
                break
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 2:
                n = struct.unpack("!H", buf[:2])[0]
                if len(buf) < 2 + n:
                    break
                out.append(buf[2:2 + n])
                buf = buf[2 + n:]
        return out
    finally:
        s.close()
