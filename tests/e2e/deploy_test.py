"""The deployment kit in deploy/: systemd units checked by systemd itself, and the Corefiles of
the Compose file and the Kubernetes manifest served by the real coredns with the probes and
ports the manifests name (docs/linux-router.md, docs/kubernetes.md)."""
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import time

import yaml

from harness.client import query
from harness.http_client import curl
from harness.ports import free_port
from harness.process import CoreDNS, coredns_bin

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def unit_with_binary(unit, installed, built, tmp):
    """The unit with its ExecStart pointing at the binary this build made (verify checks that
    the program exists and is executable)."""
    text = (DEPLOY / "systemd" / unit).read_text().replace(installed, built)
    path = pathlib.Path(tmp) / unit
    path.write_text(text)
    return path


def verify(path):
    return subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True)


def test_systemd_units_verify_without_a_warning():
    nat64 = os.path.abspath(os.environ.get("NAT64_BIN") or shutil.which("true"))
    with tempfile.TemporaryDirectory() as tmp:
        for unit, installed, built in (("coredns.service", "/usr/local/bin/coredns", coredns_bin()),
                                       ("nat64.service", "/usr/local/bin/nat64", nat64)):
            r = verify(unit_with_binary(unit, installed, built, tmp))
            assert r.returncode == 0, r.stderr
            assert r.stderr.strip() == "", r.stderr


def test_systemd_verify_catches_a_misspelt_key():
    # The check above can fail: a unit with an unknown key gets a warning.
    with tempfile.TemporaryDirectory() as tmp:
        path = unit_with_binary("coredns.service", "/usr/local/bin/coredns", coredns_bin(), tmp)
        path.write_text(path.read_text().replace("NoNewPrivileges=", "NoNewPrivilege="))
        assert "Unknown key 'NoNewPrivilege'" in verify(path).stderr


def exposure(unit_path):
    out = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(unit_path)],
                         capture_output=True, text=True).stdout
    return float(re.search(r"Overall exposure level for \S+: ([0-9.]+)", out).group(1))


def test_systemd_units_are_hardened():
    with tempfile.TemporaryDirectory() as tmp:
        for unit in ("coredns.service", "nat64.service"):
            text = (DEPLOY / "systemd" / unit).read_text()
            assert "DynamicUser=yes" in text and "ProtectSystem=strict" in text
            caps = re.findall(r"^AmbientCapabilities=(.*)$", text, re.M)
            assert caps == (["CAP_NET_BIND_SERVICE"] if unit == "coredns.service" else ["CAP_NET_ADMIN"])
            path = pathlib.Path(tmp) / unit
            path.write_text(text)
            # systemd's own scale: 0 (locked down) to 10 (unprotected); "OK" is below 3.
            assert exposure(path) < 3.0
        nat64 = (DEPLOY / "systemd" / "nat64.service").read_text()
        assert "StateDirectory=nat64" in nat64 and "DeviceAllow=/dev/net/tun rw" in nat64


def with_free_ports(corefile, ports):
    for fixed, free in ports.items():
        corefile = corefile.replace(fixed, free)
    return corefile


def test_kubernetes_manifest_probes_what_its_corefile_serves():
    docs = list(yaml.safe_load_all((DEPLOY / "kubernetes" / "coredns.yaml").read_text()))
    kinds = {d["kind"]: d for d in docs}
    assert set(kinds) == {"ConfigMap", "Deployment", "Service"}
    corefile = kinds["ConfigMap"]["data"]["Corefile"]
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    ctr = pod["containers"][0]
    assert ctr["args"] == ["-conf", "/etc/coredns/Corefile"]
    assert ctr["volumeMounts"][0]["mountPath"] == "/etc/coredns"
    assert ctr["securityContext"]["capabilities"] == {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}
    # health serves :8080 and ready :8181 by default (CoreDNS's health and ready READMEs).
    assert ctr["livenessProbe"]["httpGet"] == {"path": "/health", "port": 8080}
    assert ctr["readinessProbe"]["httpGet"] == {"path": "/ready", "port": 8181}
    assert "prometheus :9153" in corefile
    assert {p["containerPort"] for p in ctr["ports"]} == {53, 9153}

    health, ready, metrics = free_port(), free_port(), free_port()
    text = corefile.replace(". {", ".:{port} {", 1)
    text = re.sub(r"^(\s+)health \{", rf"\1health :{health} {{", text, flags=re.M)
    text = text.replace("ready\n", f"ready :{ready}\n").replace(":9153", f":{metrics}")
    with CoreDNS(text) as c:
        assert curl(f"http://127.0.0.1:{health}/health").status == 200
        assert curl(f"http://127.0.0.1:{ready}/ready").status == 200
        assert "coredns_build_info" in curl(f"http://127.0.0.1:{metrics}/metrics").body
        # dns64 answers ipv4only.arpa itself (RFC 8880): no upstream needed.
        r = query("ipv4only.arpa", "AAAA", server="::1", port=c.port)
        assert sorted(a.address for a in r.answer[0]) == ["64:ff9b::c000:aa", "64:ff9b::c000:ab"]


def test_compose_file_serves_its_corefile(monkeypatch):
    compose = yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text())
    svc = compose["services"]["coredns"]
    assert svc["command"] == ["-conf", "/etc/coredns/Corefile"]
    assert "./Corefile:/etc/coredns/Corefile:ro" in svc["volumes"]
    assert svc["cap_add"] == ["NET_BIND_SERVICE", "NET_ADMIN"] and svc["cap_drop"] == ["ALL"]
    corefile = (DEPLOY / "compose" / "Corefile").read_text()
    assert "data-dir /var/lib/nat64" in corefile
    assert "./nat64-data:/var/lib/nat64" in svc["volumes"]

    health, ready = free_port(), free_port()
    text = corefile.replace(". {", ".:{port} {", 1)
    text = text.replace("health :8080", f"health :{health}").replace("ready :8181", f"ready :{ready}")
    # The Corefile's tayga.conf lines are checked by the translator's own parser when coredns
    # loads it. The child itself is a stand-in next to coredns (where the directive looks
    # first) that records how it was started: the real translator would create its TUN device
    # in this machine's own network namespace.
    with tempfile.TemporaryDirectory() as bindir:
        lone = os.path.join(bindir, "coredns")
        shutil.copy(coredns_bin(), lone)
        started = os.path.join(bindir, "started")
        stand_in = os.path.join(bindir, "nat64")
        with open(stand_in, "w") as f:
            f.write(f'#!/bin/sh\necho "$@" > {started}\nexec sleep 60\n')
        os.chmod(stand_in, 0o755)
        monkeypatch.setenv("COREDNS_BIN", lone)
        with CoreDNS(text) as c:
            assert curl(f"http://127.0.0.1:{health}/health").status == 200
            r = query("ipv4only.arpa", "AAAA", server="::1", port=c.port)
            assert len(r.answer[0]) == 2
            deadline = time.time() + 10
            while not os.path.exists(started) and time.time() < deadline:
                time.sleep(0.05)
            with open(started) as f:
                args = f.read().split()
            assert args[0] == "-c" and "--nodetach" in args
