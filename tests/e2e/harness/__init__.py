"""Helpers for end-to-end tests: start the real binaries and real upstream servers on loopback,
query them with real clients. Every process a test starts is stopped by the test."""

from .ports import free_port
from .process import CoreDNS, coredns_bin, compiled_plugins, rss_env, rss_kib, run_coredns, sanitized
from .plugins import has_plugin, require_plugins
from .upstream import Nsd, Unbound, zone_file
from .client import dig, kdig, query, raw_udp, raw_tcp, make_query, dig_status, answer_lines, read_exact
from .http_client import curl, keep_alive, tcp_listeners

__all__ = [
    "free_port", "CoreDNS", "coredns_bin", "compiled_plugins", "rss_env", "rss_kib", "run_coredns", "sanitized", "has_plugin", "require_plugins", "Nsd", "Unbound", "zone_file",
    "dig", "kdig", "dig_status", "answer_lines", "query", "raw_udp", "raw_tcp", "make_query", "curl", "keep_alive", "tcp_listeners",
]
