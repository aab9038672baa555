#include "nat64/metrics_text.h"

#include <fmt/format.h>
#include <utility>

namespace nat64 {

namespace {

template <class F>
uint64_t sum(const MetricsSnapshot& s, F f) {
  uint64_t t = 0;
  for (const Counters* c : s.workers) t += f(*c).get();
  return t;
}

void header(std::string& o, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(o), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string render_metrics(const MetricsSnapshot& s) {
  std::string o;
  o.reserve(4096);
  auto out = std::back_inserter(o);
  header(o, "nat64_packets_translated_total", "counter", "Packets translated, by direction.");
  fmt::format_to(out, "nat64_packets_translated_total{{direction=\"4to6\"}} {}\n",
                 sum(s, [](const Counters& c) -> const Counter& { return c.translated_4to6; }));
  fmt::format_to(out, "nat64_packets_translated_total{{direction=\"6to4\"}} {}\n",
                 sum(s, [](const Counters& c) -> const Counter& { return c.translated_6to4; }));
  header(o, "nat64_bytes_translated_total", "counter", "Bytes of packets translated, as received.");
  fmt::format_to(out, "nat64_bytes_translated_total{{direction=\"4to6\"}} {}\n",
                 sum(s, [](const Counters& c) -> const Counter& { return c.bytes_4to6; }));
  fmt::format_to(out, "nat64_bytes_translated_total{{direction=\"6to4\"}} {}\n",
                 sum(s, [](const Counters& c) -> const Counter& { return c.bytes_6to4; }));
  header(o, "nat64_packets_dropped_total", "counter", "Packets not translated, by reason.");
  for (size_t i = 0; i < static_cast<size_t>(DropReason::count); ++i)
    fmt::format_to(out, "nat64_packets_dropped_total{{reason=\"{}\"}} {}\n",
                   drop_reason_name(static_cast<DropReason>(i)),
                   sum(s, [i](const Counters& c) -> const Counter& { return c.dropped[i]; }));
  struct Simple {
    const char* name;
    const char* help;
    const Counter Counters::*field;
  };
  static constexpr Simple simple[] = {
      {"nat64_hairpinned_total", "IPv6 packets hairpinned back to IPv6 (RFC 7757 section 4).", &Counters::hairpinned},
      {"nat64_fragments_created_total", "Extra IPv6 fragments made when splitting IPv4 packets.",
       &Counters::fragments_created},
      {"nat64_icmp_errors_translated_total", "ICMP errors translated with their inner packet.",
       &Counters::icmp_errors_translated},
      {"nat64_icmp_errors_generated_total", "ICMP errors sent by the translator itself.",
       &Counters::icmp_errors_generated},
      {"nat64_icmp_errors_rate_limited_total", "ICMP errors not sent because of the rate limit.",
       &Counters::icmp_errors_rate_limited},
      {"nat64_echo_replies_total", "Echo requests to the translator's own addresses answered.",
       &Counters::echo_replies},
  };
  for (const auto& m : simple) {
    header(o, m.name, "counter", m.help);
    fmt::format_to(out, "{} {}\n", m.name, sum(s, [&](const Counters& c) -> const Counter& { return c.*m.field; }));
  }
  header(o, "nat64_gso_packets_total", "counter", "GSO super-packets translated whole, by direction.");
  fmt::format_to(out, "nat64_gso_packets_total{{direction=\"4to6\"}} {}\n",
                 sum(s, [](const Counters& c) -> const Counter& { return c.gso_4to6; }));
  fmt::format_to(out, "nat64_gso_packets_total{{direction=\"6to4\"}} {}\n",
                 sum(s, [](const Counters& c) -> const Counter& { return c.gso_6to4; }));
  header(o, "nat64_gso_segments_total", "counter", "Segments carried by the GSO super-packets translated whole.");
  fmt::format_to(out, "nat64_gso_segments_total{{direction=\"4to6\"}} {}\n",
                 sum(s, [](const Counters& c) -> const Counter& { return c.gso_segments_4to6; }));
  fmt::format_to(out, "nat64_gso_segments_total{{direction=\"6to4\"}} {}\n",
                 sum(s, [](const Counters& c) -> const Counter& { return c.gso_segments_6to4; }));
  static constexpr Simple offload[] = {
      {"nat64_gso_segmented_total", "GSO super-packets cut into segments here, to be translated one by one.",
       &Counters::gso_segmented},
      {"nat64_checksums_completed_total", "Partial checksums completed here instead of by the kernel.",
       &Counters::checksums_completed},
      {"nat64_tun_reads_over_mtu_total", "TUN reads larger than the MTU (GSO super-packets).",
       &Counters::reads_over_mtu},
      {"nat64_tcp_mss_clamped_total", "TCP SYNs whose MSS option was lowered (tcp-mss-clamp).",
       &Counters::mss_clamped},
  };
  for (const auto& m : offload) {
    header(o, m.name, "counter", m.help);
    fmt::format_to(out, "{} {}\n", m.name, sum(s, [&](const Counters& c) -> const Counter& { return c.*m.field; }));
  }
  struct ByOp {
    const char* name;
    const char* help;
    const Counter Counters::*read;
    const Counter Counters::*write;
  };
  static constexpr ByOp by_op[] = {
      {"nat64_tun_batches_total",
       "TUN I/O batches: packets read per wake-up, packets written per submission (one each with readwrite).",
       &Counters::read_batches, &Counters::write_batches},
      {"nat64_tun_batch_packets_total",
       "Packets carried by those batches (divided by nat64_tun_batches_total: packets per batch).",
       &Counters::read_batch_packets, &Counters::write_batch_packets},
  };
  for (const auto& m : by_op) {
    header(o, m.name, "counter", m.help);
    for (const auto& op : {std::pair{"read", m.read}, std::pair{"write", m.write}}) {
      // Not a structured binding: clang before 16 (the fuzz build's) cannot capture one.
      const auto field = op.second;
      fmt::format_to(out, "{}{{op=\"{}\"}} {}\n", m.name, op.first,
                     sum(s, [&](const Counters& c) -> const Counter& { return c.*field; }));
    }
  }
  if (s.has_pool) {
    header(o, "nat64_dynamic_pool_leases", "gauge", "Dynamic pool leases, by state.");
    fmt::format_to(out, "nat64_dynamic_pool_leases{{state=\"active\"}} {}\n", s.pool_active);
    fmt::format_to(out, "nat64_dynamic_pool_leases{{state=\"dormant\"}} {}\n", s.pool_dormant);
    header(o, "nat64_dynamic_pool_size", "gauge", "Addresses the dynamic pool can hand out.");
    fmt::format_to(out, "nat64_dynamic_pool_size {}\n", s.pool_size);
  }
  header(o, "nat64_tun_mtu", "gauge", "MTU of the TUN device, as last read.");
  fmt::format_to(out, "nat64_tun_mtu {}\n", s.tun_mtu);
  header(o, "nat64_workers", "gauge", "Worker threads, one per TUN queue.");
  fmt::format_to(out, "nat64_workers {}\n", s.worker_count);
  header(o, "nat64_tun_offload", "gauge", "1 when the TUN carries virtio-net headers (checksum and GSO offloads).");
  fmt::format_to(out, "nat64_tun_offload {}\n", s.offload ? 1 : 0);
  header(o, "nat64_tun_io", "gauge", "The workers' TUN I/O path (1 for the one in use).");
  fmt::format_to(out, "nat64_tun_io{{path=\"{}\"}} 1\n", s.tun_io);
  return o;
}

}  // namespace nat64
