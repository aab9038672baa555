"""HTTP clients for the health, ready and prometheus endpoints: curl for one request (what an
operator types), http.client for a kept-alive connection (what kubelet and Prometheus hold), and
the number of listening sockets on a port (to see that an address is bound once)."""
import http.client
import subprocess
from typing import NamedTuple, Optional


class HttpResult(NamedTuple):
    status: Optional[int]  # None when the connection failed (refused, timed out)
    headers: dict          # lower-cased names
    body: str


def curl(url, method="GET", timeout=3):
    """One request with curl; the status, headers and body."""
    cmd = ["curl", "-s", "-i", "--max-time", str(timeout)]
    cmd += ["-I"] if method == "HEAD" else ["-X", method]
    r = subprocess.run(cmd + [url], capture_output=True)
    if r.returncode != 0:
        return HttpResult(None, {}, "")
    head, _, body = r.stdout.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return HttpResult(int(lines[0].split()[1]), headers, body.decode("utf-8", "replace"))


def keep_alive(port, host="127.0.0.1", timeout=3):
    """A persistent HTTP/1.1 connection; request(path) -> (status, body)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def request(path, method="GET"):
        conn.request(method, path)
        resp = conn.getresponse()
        return resp.status, resp.read().decode()

    conn.get = request
    return conn


def tcp_listeners(port):
    """How many sockets listen on TCP `port` (any address)."""
    out = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True).stdout
    return len([l for l in out.splitlines() if l.strip()])
