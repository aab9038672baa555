import functools
import mmap
import os
import re
import signal
import subprocess
import tempfile
import threading
import time

from .client import query_ready


def coredns_bin():
    path = os.environ.get("COREDNS_BIN")
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(here, "..", "..", "..", "build", "core", "main", "coredns")
    return os.path.abspath(path)


class _Reader(threading.Thread):
    """Collects a pipe's lines so a test can wait for one."""

    def __init__(self, pipe):
        super().__init__(daemon=True)
        self.pipe = pipe
        self.lines = []
        self.cond = threading.Condition()

    def run(self):
        for raw in iter(self.pipe.readline, b""):
            with self.cond:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()


class CoreDNS:
    """Runs the real `coredns` binary on a Corefile written to a fresh directory.

        with CoreDNS(".:{port} {\\n whoami\\n}\\n") as c:
            c.dig("example.org")
    `{port}` in the text is replaced by `c.port` (a free port) unless port= is given.
    """

    def __init__(self, corefile=None, port=None, args=(), cwd=None, env=None, wait=True,
                 files=None, stdin=None, ready_host="127.0.0.1"):
        self.port = port or _free_port()
        self.dir = cwd or tempfile.mkdtemp(prefix="coredns-e2e-")
        self.corefile_path = os.path.join(self.dir, "Corefile")
        if corefile is not None:
            self.write_corefile(corefile)
        for name, text in (files or {}).items():
            path = os.path.join(self.dir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        # The Corefile is ./Corefile in the server's working directory, as CoreDNS finds it by
        # default, so messages name it "Corefile" like the spec's examples.
        self.args = list(args)
        self.env = dict(os.environ, **(env or {}))
        self.wait = wait
        self.ready_host = ready_host  # where wait_ready probes (a `bind` config may skip 127.0.0.1)
        self.stdin = stdin
        self.proc = None

    def write_corefile(self, text):
        text = text.replace("{port}", str(self.port))
        with open(self.corefile_path, "w") as f:
            f.write(text)

    def start(self):
        self.proc = subprocess.Popen(
            [coredns_bin()] + self.args, cwd=self.dir, env=self.env,
            stdin=subprocess.PIPE if self.stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if self.stdin is not None:
            self.proc.stdin.write(self.stdin.encode())
            self.proc.stdin.close()
        self._out = _Reader(self.proc.stdout)
        self._err = _Reader(self.proc.stderr)
        self._out.start()
        self._err.start()
        if self.wait:
            try:
                self.wait_ready()
            except BaseException:
                # `with CoreDNS(...)` never reaches __exit__ when __enter__ raises: stop the
                # process here, or it outlives the test.
                self.stop()
                raise
        return self

    def wait_ready(self, timeout=10):
        """Waits until the server answers anything on its port (UDP)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"coredns exited {self.proc.returncode}: {self.stderr()}")
            if query_ready(self.ready_host, self.port):
                return
            time.sleep(0.02)
        raise TimeoutError(f"coredns did not answer on {self.port}; stdout={self.stdout()}")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self._out.join(2)
            self._err.join(2)
            # Under ASan/UBSan a report on stderr is a failure even if the test's checks passed.
            reports = [l for l in self.stderr() if "Sanitizer" in l or "runtime error:" in l]
            assert not reports, "sanitizer report:\n" + "\n".join(self.stderr())
        return self.proc.returncode if self.proc else None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stdout(self):
        with self._out.cond:
            return list(self._out.lines)

    def stderr(self):
        with self._err.cond:
            return list(self._err.lines)

    def wait_for_line(self, pattern, timeout=10, start=0, stream="stdout"):
        """Returns the first line at index >= start matching `pattern` (a regex)."""
        reader = self._out if stream == "stdout" else self._err
        rx = re.compile(pattern)
        deadline = time.time() + timeout
        with reader.cond:
            while True:
                for line in reader.lines[start:]:
                    if rx.search(line):
                        return line
                left = deadline - time.time()
                if left <= 0:
                    raise TimeoutError(f"no line matching {pattern!r}; got {reader.lines}")
                reader.cond.wait(min(left, 0.1))

    def lines_matching(self, pattern, stream="stdout"):
        rx = re.compile(pattern)
        return [l for l in (self.stdout() if stream == "stdout" else self.stderr()) if rx.search(l)]

    def dig(self, *args, server="127.0.0.1"):
        from .client import dig
        return dig(*args, server=server, port=self.port)

    def query(self, name, rdtype="A", **kw):
        from .client import query
        kw.setdefault("port", self.port)
        return query(name, rdtype, **kw)


def run_coredns(args, cwd=None, timeout=10, stdin=None, env=None):
    """Runs coredns to completion (for flag and config-error tests)."""
    return subprocess.run([coredns_bin()] + list(args), cwd=cwd, capture_output=True,
                          timeout=timeout, input=stdin.encode() if stdin else None,
                          env=dict(os.environ, **(env or {})))


def _free_port():
    from .ports import free_port
    return free_port()


def compiled_plugins():
    """The plugin names this coredns build lists with -plugins."""
    out = subprocess.run([coredns_bin(), "-plugins"], capture_output=True, text=True).stdout
    return {l for l in out.splitlines() if l}


@functools.lru_cache(maxsize=None)
def sanitized():
    """True for an ASan build: its quarantine holds freed memory back (RSS then grows with the
    bytes allocated, not with what is live) and it serves a fraction of a release build's rate."""
    with open(coredns_bin(), "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        return m.find(b"__asan_init") >= 0


def rss_env():
    """Environment for a coredns whose RSS a test compares over time: under ASan freed memory
    is reused at once (no quarantine), so RSS follows what is live; LSan still checks at exit."""
    if not sanitized():
        return {}
    base = os.environ.get("ASAN_OPTIONS", "")
    return {"ASAN_OPTIONS": (base + ":" if base else "")
            + "quarantine_size_mb=0:thread_local_quarantine_size_kb=0"}


def rss_kib(pid):
    """Resident set size of a process, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
