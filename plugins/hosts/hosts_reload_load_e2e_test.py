"""A block list of a million names reloaded under load: the real coredns serving a generated
1,000,000-line hosts file while dnsperf asks for blocked names, and the file is replaced twice
during the run. What a user checks: every query got its answer (none lost, all NOERROR with the
blocked address), and the new list was picked up. Loopback only; dnsperf stops by itself."""
import os
import re
import subprocess
import threading
import time

import dns.message
import dns.query

from harness import CoreDNS, sanitized

NAMES = 1_000_000
# A reload of a million lines takes about a second in the release build, and 5 to 13 s in the
# unoptimised ASan one under this test's load on a 2-core machine with other builds running
# (load average 6 to 7). There dnsperf runs longer, so that both reloads happen under load, and
# each new list gets longer to appear, with room for a machine twice as busy.
SECONDS = 90 if sanitized() else 20
RELOAD_WAIT = 60 if sanitized() else 20


def write_list(path, generation):
    """NAMES `0.0.0.0 name` lines plus one line telling which generation this is."""
    tmp = path + ".new"
    with open(tmp, "w") as f:
        f.write(f"# block list, generation {generation}\n")
        f.write("".join(f"0.0.0.0 ad{i}.tracker{i % 97}.example\n" for i in range(NAMES)))
        f.write(f"10.0.0.{generation} generation.example\n")
    os.replace(tmp, path)


def generation(port):
    r = dns.query.udp(dns.message.make_query("generation.example", "A"), "127.0.0.1", port=port,
                      timeout=2)
    for rrset in r.answer:
        for rd in rrset:
            return int(rd.address.rsplit(".", 1)[1])
    return None


def field(out, label):
    m = re.search(rf"{label}:\s+([\d.]+)", out)
    assert m, f"no '{label}' in dnsperf output:\n{out}"
    return float(m.group(1))


def test_a_million_name_list_reloads_under_load_without_losing_a_query(tmp_path):
    path = str(tmp_path / "blocklist.hosts")
    write_list(path, 1)
    qfile = str(tmp_path / "queries.txt")
    with open(qfile, "w") as f:
        for i in range(0, NAMES, 7):
            f.write(f"ad{i}.tracker{i % 97}.example A\n")
    rate = 1500 if sanitized() else 8000
    corefile = ".:{port} {\n hosts " + path + " {\n  no_reverse\n  reload 1s\n }\n}\n"
    # The first load of a million lines is read before the server answers: seconds under the
    # sanitizers on a loaded 2-core machine, more than the harness's default wait.
    with CoreDNS(corefile, args=["-quiet"], wait=False) as c:
        c.wait_ready(timeout=60 if sanitized() else 30)
        assert generation(c.port) == 1
        perf = subprocess.Popen(
            ["dnsperf", "-s", "127.0.0.1", "-p", str(c.port), "-d", qfile, "-l", str(SECONDS),
             "-Q", str(rate), "-c", "4", "-q", "200", "-t", "5"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out_box = []
        reader = threading.Thread(target=lambda: out_box.append(perf.stdout.read()), daemon=True)
        reader.start()
        seen = []
        try:
            for gen in (2, 3):
                time.sleep(3)
                write_list(path, gen)
                deadline = time.time() + RELOAD_WAIT
                while generation(c.port) != gen and time.time() < deadline:
                    time.sleep(0.2)
                seen.append(generation(c.port))
        finally:
            perf.wait(SECONDS + 30)
            reader.join(5)
        out = out_box[0] if out_box else ""
        print(out)
        assert c.proc.poll() is None
        assert seen == [2, 3]
        assert field(out, "Queries sent") > rate * SECONDS * 0.5
        assert field(out, "Queries lost") == 0
        assert re.search(r"Response codes:\s+NOERROR \d+ \(100\.00%\)", out), out
