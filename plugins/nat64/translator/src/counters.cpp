#include "nat64/counters.h"

namespace nat64 {

namespace {
struct Names {
  std::string_view name, help;
};
constexpr Names kNames[] = {
    {"truncated", "shorter than its headers say"},
    {"bad_version", "IP version does not match the TUN packet-info protocol"},
    {"bad_ipv4_checksum", "IPv4 header checksum wrong"},
    {"invalid_source", "source address may not be translated"},
    {"invalid_destination", "destination address may not be translated"},
    {"ttl_zero", "TTL or hop limit 0"},
    {"ttl_expired", "TTL or hop limit expired, Time Exceeded sent"},
    {"unknown_protocol_family", "TUN packet neither IPv4 nor IPv6"},
    {"oversized", "larger than the receive buffer"},
    {"fragmented_icmp", "fragmented ICMP cannot be translated"},
    {"bad_icmp_checksum", "ICMP error with a wrong checksum"},
    {"icmp_untranslatable", "ICMP type or code without a counterpart"},
    {"icmp_inner_invalid", "ICMP error whose inner packet cannot be translated"},
    {"protocol_not_allowed", "IPv6-only protocol in IPv4, or ICMPv4 in IPv6"},
    {"ext_header_after_fragment", "extension header after the fragment header"},
    {"routing_header", "routing header with segments left"},
    {"source_route", "unexpired IPv4 source route option"},
    {"bad_fragment", "malformed fragment"},
    {"no_destination_mapping", "destination not translatable"},
    {"no_source_mapping", "source not translatable"},
    {"wkpf_non_global", "non-global IPv4 address under 64:ff9b::/96"},
    {"pool_address_unassigned", "dynamic pool address without an active lease"},
    {"pool_exhausted", "dynamic pool exhausted"},
    {"udp_zero_checksum", "UDP checksum 0"},
    {"too_big", "larger than the MTU with DF set"},
    {"to_self_unsupported", "to the translator's own address, not an echo request"},
    {"bad_offload", "virtio-net header that does not fit the packet"},
};
static_assert(sizeof kNames / sizeof kNames[0] == static_cast<size_t>(DropReason::count));
}  // namespace

std::string_view drop_reason_name(DropReason r) { return kNames[static_cast<size_t>(r)].name; }
std::string_view drop_reason_help(DropReason r) { return kNames[static_cast<size_t>(r)].help; }

}  // namespace nat64
