"""prometheus end to end: /metrics scraped with curl while queries are sent with dig, CoreDNS's
metric names and labels, one bind per address, and reloads."""
import os
import re
import signal
import tempfile

import pytest

from harness import CoreDNS, curl, dig, free_port, run_coredns, tcp_listeners

SERIES = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$")


def scrape(port):
    r = curl(f"http://127.0.0.1:{port}/metrics")
    assert r.status == 200
    values = {}
    for line in r.body.splitlines():
        m = SERIES.match(line)
        if m:
            values[m.group(1)] = float(m.group(2))
    return r, values


def block(lines, zone=".", port="{port}"):
    body = "".join(f" {l}\n" for l in lines)
    return f"{zone}:{port} {{\n{body} whoami\n}}\n"


def run_config(text):
    d = tempfile.mkdtemp(prefix="metrics-e2e-")
    with open(os.path.join(d, "Corefile"), "w") as f:
        f.write(text)
    return run_coredns([], cwd=d)


def test_metrics_endpoint_format_and_static_series():
    mp = free_port()
    with CoreDNS(block([f"prometheus 127.0.0.1:{mp}"])) as c:
        r, v = scrape(mp)
        assert r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
        assert "# TYPE coredns_dns_requests_total counter" in r.body
        assert "# TYPE coredns_dns_request_duration_seconds histogram" in r.body
        assert v["coredns_panics_total"] == 0
        build = [k for k in v if k.startswith("coredns_build_info{")]
        assert len(build) == 1 and 'version="1.14.7"' in build[0] and v[build[0]] == 1
        server = f'server="dns://:{c.port}",zone=".",view=""'
        for name in ("prometheus", "whoami"):
            assert v[f'coredns_plugin_enabled{{name="{name}",{server}}}'] == 1
        assert curl(f"http://127.0.0.1:{mp}/").status == 404


def test_counters_move_as_queries_are_sent():
    mp = free_port()
    with CoreDNS(block([f"prometheus 127.0.0.1:{mp}"], zone="example.org") +
                 block([f"prometheus 127.0.0.1:{mp}"])) as c:
        _, before = scrape(mp)
        for _ in range(3):
            assert "status: NOERROR" in dig("www.example.org", "A", port=c.port)
        for _ in range(2):
            assert "status: NOERROR" in dig("other.net", "AAAA", "+tcp", port=c.port)
        assert "status: NOERROR" in dig("example.org", "NAPTR", port=c.port)
        _, after = scrape(mp)

        def delta(series):
            return after.get(series, 0) - before.get(series, 0)

        s = f'server="dns://:{c.port}"'
        org = f'{s},zone="example.org.",view=""'
        root = f'{s},zone=".",view=""'
        assert delta(f'coredns_dns_requests_total{{{org},proto="udp",family="1",type="A"}}') == 3
        assert delta(f'coredns_dns_requests_total{{{root},proto="tcp",family="1",type="AAAA"}}') == 2
        assert delta(f'coredns_dns_requests_total{{{org},proto="udp",family="1",type="other"}}') == 1
        assert delta(f'coredns_dns_responses_total{{{org},rcode="NOERROR",plugin=""}}') == 4
        assert delta(f'coredns_dns_request_duration_seconds_count{{{org},type="A"}}') == 3
        assert delta(f'coredns_dns_request_size_bytes_count{{{root},proto="tcp"}}') == 2
        assert delta(f'coredns_dns_response_size_bytes_count{{{root},proto="tcp"}}') == 2
        assert delta(f'coredns_dns_response_size_bytes_bucket{{{root},proto="tcp",le="0"}}') == 0
        assert delta(f'coredns_dns_response_size_bytes_sum{{{root},proto="tcp"}}') > 2 * 50
        assert tcp_listeners(mp) == 1


@pytest.mark.parametrize("lines,error", [
    (["prometheus localhost"], "plugin/prometheus: address localhost: missing port in address"),
    (["prometheus :1 :2"], "plugin/prometheus: Corefile:2 - Error during parsing: Wrong argument "
                           "count or unexpected line ending after ':2'"),
    (["prometheus :19153", "prometheus :19154"],
     "plugin/prometheus: this plugin can only be used once per Server Block"),
])
def test_configuration_errors(lines, error):
    r = run_config(block(lines, port=free_port()))
    assert r.returncode == 1
    assert r.stderr.decode().splitlines() == [error]


def test_reload_keeps_the_endpoint_and_the_counts():
    mp = free_port()
    with CoreDNS(block([f"prometheus 127.0.0.1:{mp}"])) as c:
        dig("a.example", port=c.port)
        key = f'coredns_dns_requests_total{{server="dns://:{c.port}",zone=".",view="",' \
              f'proto="udp",family="1",type="A"}}'
        _, before = scrape(mp)
        c.write_corefile(block([f"prometheus 127.0.0.1:{mp}"]) +
                         block([f"prometheus 127.0.0.1:{mp}"], zone="example.org"))
        c.signal(signal.SIGUSR1)
        c.wait_for_line(r"^\[INFO\] Reloading complete$")
        dig("b.example", port=c.port)
        _, after = scrape(mp)
        assert after[key] == before[key] + 1
        assert after.get(f'coredns_plugin_enabled{{name="whoami",server="dns://:{c.port}",'
                         f'zone="example.org.",view=""}}') == 1
