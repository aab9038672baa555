#pragma once
// TO arguments of `forward` (CoreDNS's plugin/pkg/parse/host.go): IP, IP:port, [IPv6]:port, dns://,
// tls://IP%NAME, https://, resolv.conf-style files and host names, expanded into upstream
// addresses.
#include <string>
#include <string_view>
#include <vector>

#include "plugins/forward/config.h"

namespace coredns::plugins::forward {

// Parses "IP", "IP%zone", "IP:port", "[IPv6%zone]:port" into `out` with `default_port`. For
// tls://, the part after '%' is a TLS server name rather than an IPv6 zone; it is returned in
// `servername`. False if the text is not an address.
bool parse_ip_port(std::string_view text, uint16_t default_port, bool percent_is_servername,
                   sockaddr_storage& out, std::string* servername);

// "127.0.0.1:53", "[::1]:53", "[fe80::1%eth0]:53".
std::string address_text(const sockaddr_storage& addr);

// The nameserver lines of a resolv.conf, each as "IP" text (zone kept). False if the file
// cannot be read.
bool read_resolv_conf(const std::string& path, std::vector<std::string>& nameservers);

// Expands the TO arguments; duplicates are removed (first wins). Throws ConfigError.
std::vector<UpstreamSpec> expand_to(const std::vector<std::string>& to,
                                    const std::vector<std::string>& resolvers);

}  // namespace coredns::plugins::forward
