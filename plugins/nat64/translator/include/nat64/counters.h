// Packet counters, by outcome and by drop reason. One Counters per translator context: a
// single thread writes it, any thread may read it (relaxed atomics, no lock prefix on x86
// for the single-writer increment).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace nat64 {

// Why a packet was not translated. Keep drop_reason_name() in step.
enum class DropReason : uint8_t {
  truncated,               // shorter than its headers say
  bad_version,             // IP version does not match the TUN packet-info protocol
  bad_ipv4_checksum,       // IPv4 header checksum wrong
  invalid_source,          // source is loopback, multicast, unspecified, link-local IPv6 ...
  invalid_destination,     // same for the destination
  ttl_zero,                // TTL / hop limit already 0
  ttl_expired,             // TTL / hop limit 1: Time Exceeded sent
  unknown_protocol_family, // TUN packet-info protocol neither IPv4 nor IPv6
  oversized,               // read filled the whole receive buffer
  fragmented_icmp,         // ICMP or ICMPv6 in fragments cannot be translated
  bad_icmp_checksum,       // ICMP error with a wrong checksum
  icmp_untranslatable,     // ICMP type/code with no counterpart (RFC 7915 §4.2, §5.2)
  icmp_inner_invalid,      // ICMP error whose inner packet cannot be translated
  protocol_not_allowed,    // IPv6-only protocol in IPv4 or ICMPv4 inside IPv6
  ext_header_after_fragment,  // RFC 7915 §5.1: Destination Unreachable sent
  routing_header,          // Routing header with Segments Left != 0: Parameter Problem sent
  source_route,            // unexpired IPv4 source route option: Source Route Failed sent
  bad_fragment,            // second fragment header, offset + length > 65535
  no_destination_mapping,  // destination not translatable: ICMP error sent
  no_source_mapping,       // source not translatable: ICMP error sent
  wkpf_non_global,         // RFC 6052 §3.1: non-global IPv4 in 64:ff9b::/96
  pool_address_unassigned, // IPv4 destination in the dynamic pool without an active lease
  pool_exhausted,          // no free or dormant pool address for a new IPv6 host
  udp_zero_checksum,       // UDP checksum 0 dropped per udp-cksum-mode (or in a fragment)
  too_big,                 // Fragmentation Needed / Packet Too Big sent
  to_self_unsupported,     // to our own address, not an echo request
  bad_offload,             // virtio-net header that does not fit the packet (checksum or GSO)
  count
};

std::string_view drop_reason_name(DropReason r);
std::string_view drop_reason_help(DropReason r);

// One single-writer counter.
struct Counter {
  std::atomic<uint64_t> v{0};
  void add(uint64_t n = 1) { v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  uint64_t get() const { return v.load(std::memory_order_relaxed); }
};

struct Counters {
  Counter translated_4to6, translated_6to4, hairpinned;
  Counter bytes_4to6, bytes_6to4;
  Counter fragments_created;       // extra IPv6 fragments made by splitting IPv4 packets
  Counter icmp_errors_translated;  // ICMP errors carried across (inner packet rewritten)
  Counter icmp_errors_generated;   // errors the translator itself sent
  Counter icmp_errors_rate_limited;
  Counter echo_replies;            // pings to the translator's own addresses answered
  // Offloads and the fast path.
  Counter gso_4to6, gso_6to4;      // GSO super-packets translated whole
  Counter gso_segments_4to6, gso_segments_6to4;  // segments they carried
  Counter gso_segmented;           // super-packets segmented here (they needed per-packet work)
  Counter checksums_completed;     // partial checksums completed here (non-TCP/UDP, odd layouts)
  Counter reads_over_mtu;          // TUN reads larger than the MTU (only GSO makes them)
  Counter mss_clamped;             // TCP SYNs whose MSS option was lowered (tcp-mss-clamp)
  // TUN I/O: a batch is what one wake-up of the worker read (or one submission wrote); with
  // read()/write() every batch is one packet.
  Counter read_batches, read_batch_packets;
  Counter write_batches, write_batch_packets;
  std::array<Counter, static_cast<size_t>(DropReason::count)> dropped;

  void drop(DropReason r) { dropped[static_cast<size_t>(r)].add(); }
  uint64_t dropped_total() const {
    uint64_t t = 0;
    for (const auto& c : dropped) t += c.get();
    return t;
  }
};

}  // namespace nat64
