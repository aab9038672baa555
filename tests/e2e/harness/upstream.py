"""Real authoritative and recursive servers on loopback, for forward/cache/dns64 tests."""
import os
import shutil
import signal
import subprocess
import tempfile
import textwrap
import time

from .client import query_ready
from .ports import free_port


def zone_file(origin, records, ttl=300, soa_minimum=60):
    """A zone file text for `origin` with an SOA, an NS and `records` (zone-file lines)."""
    origin = origin.rstrip(".") + "."
    head = textwrap.dedent(f"""\
        $ORIGIN {origin}
        $TTL {ttl}
        @ IN SOA ns1.{origin} hostmaster.{origin} 1 3600 900 604800 {soa_minimum}
        @ IN NS ns1.{origin}
        ns1 IN A 127.0.0.1
        """)
    return head + "\n".join(records) + "\n"


class _Daemon:
    def __init__(self):
        self.proc = None
        self.dir = tempfile.mkdtemp(prefix=type(self).__name__.lower() + "-e2e-")

    def _wait(self, host="127.0.0.1", timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                out = self.proc.stdout.read().decode(errors="replace") if self.proc.stdout else ""
                raise RuntimeError(f"{self.name} exited {self.proc.returncode}: {out}")
            if query_ready(host, self.port):
                return
            time.sleep(0.05)
        raise TimeoutError(f"{self.name} did not start on port {self.port}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Nsd(_Daemon):
    """nsd serving `zones` ({origin: zone file text}) on 127.0.0.1 (and ::1) at `port`."""
    name = "nsd"

    def __init__(self, zones, port=None, ipv6=True, extra_config=""):
        super().__init__()
        self.zones = zones
        self.port = port or free_port()
        self.ipv6 = ipv6
        self.extra_config = extra_config

    def start(self):
        conf = [
            "server:",
            f"  port: {self.port}",
            "  ip-address: 127.0.0.1",
            *(["  ip-address: ::1"] if self.ipv6 else []),
            '  username: ""',
            f'  zonesdir: "{self.dir}"',
            f'  pidfile: "{self.dir}/nsd.pid"',
            f'  xfrdfile: "{self.dir}/xfrd.state"',
            f'  zonelistfile: "{self.dir}/zone.list"',
            '  database: ""',
            "  server-count: 1",
            "  verbosity: 0",
            "  hide-version: yes",
            "  round-robin: no",
            # Debian's nsd answers a client at most 200 times a second per name set by default;
            # tests that send more would measure that limit instead of coredns.
            "  rrl-ratelimit: 0",
            "  rrl-whitelist-ratelimit: 0",
            "remote-control:",
            "  control-enable: no",
        ]
        if self.extra_config:
            conf.append(self.extra_config)
        for origin, text in self.zones.items():
            fname = origin.strip(".").replace("/", "_") or "root"
            with open(os.path.join(self.dir, fname + ".zone"), "w") as f:
                f.write(text)
            conf += ["zone:", f"  name: {origin}", f"  zonefile: {fname}.zone"]
        path = os.path.join(self.dir, "nsd.conf")
        with open(path, "w") as f:
            f.write("\n".join(conf) + "\n")
        self.proc = subprocess.Popen(["nsd", "-d", "-c", path], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self._wait()
        return self


class Unbound(_Daemon):
    """unbound on 127.0.0.1 at `port` with the given server:/zone clauses appended."""
    name = "unbound"

    def __init__(self, config, port=None, threads=1):
        super().__init__()
        self.config = config
        self.port = port or free_port()
        self.threads = threads

    def start(self):
        conf = textwrap.dedent(f"""\
            server:
              port: {self.port}
              interface: 127.0.0.1
              username: ""
              chroot: ""
              directory: "{self.dir}"
              pidfile: "{self.dir}/unbound.pid"
              use-syslog: no
              logfile: ""
              verbosity: 0
              num-threads: {self.threads}
              do-ip6: no
              access-control: 127.0.0.0/8 allow
              do-not-query-localhost: no
              auto-trust-anchor-file: ""
            remote-control:
              control-enable: no
            """) + self.config
        path = os.path.join(self.dir, "unbound.conf")
        with open(path, "w") as f:
            f.write(conf)
        self.proc = subprocess.Popen(["unbound", "-d", "-c", path], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self._wait()
        return self
