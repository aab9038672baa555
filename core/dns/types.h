#pragma once
// DNS numbers (RFC 1035, 6891 and the IANA registries) and their mnemonics.
#include <cstdint>
#include <string>
#include <string_view>

namespace coredns::dns {

namespace type {
inline constexpr uint16_t A = 1, NS = 2, MD = 3, MF = 4, CNAME = 5, SOA = 6, MB = 7, MG = 8,
                          MR = 9, NULL_ = 10, WKS = 11, PTR = 12, HINFO = 13, MINFO = 14, MX = 15,
                          TXT = 16, RP = 17, AFSDB = 18, SIG = 24, KEY = 25, PX = 26, AAAA = 28,
                          LOC = 29, NXT = 30, SRV = 33, NAPTR = 35, KX = 36, CERT = 37, DNAME = 39,
                          OPT = 41, APL = 42, DS = 43, SSHFP = 44, IPSECKEY = 45, RRSIG = 46,
                          NSEC = 47, DNSKEY = 48, DHCID = 49, NSEC3 = 50, NSEC3PARAM = 51,
                          TLSA = 52, SMIMEA = 53, HIP = 55, CDS = 59, CDNSKEY = 60,
                          OPENPGPKEY = 61, CSYNC = 62, ZONEMD = 63, SVCB = 64, HTTPS = 65,
                          SPF = 99, TKEY = 249, TSIG = 250, IXFR = 251, AXFR = 252, ANY = 255,
                          URI = 256, CAA = 257;
}  // namespace type

namespace cls {
inline constexpr uint16_t IN = 1, CS = 2, CH = 3, HS = 4, NONE = 254, ANY = 255;
}

namespace rcode {
inline constexpr uint16_t NOERROR = 0, FORMERR = 1, SERVFAIL = 2, NXDOMAIN = 3, NOTIMP = 4,
                          REFUSED = 5, YXDOMAIN = 6, YXRRSET = 7, NXRRSET = 8, NOTAUTH = 9,
                          NOTZONE = 10, BADVERS = 16;
}

namespace opcode {
inline constexpr uint8_t QUERY = 0, IQUERY = 1, STATUS = 2, NOTIFY = 4, UPDATE = 5;
}

namespace edns_option {
inline constexpr uint16_t NSID = 3, ECS = 8, EXPIRE = 9, COOKIE = 10, TCP_KEEPALIVE = 11,
                          PADDING = 12, EDE = 15;
}

// Mnemonics as CoreDNS prints them: "A", "TYPE65280", "IN", "CLASS42", "NOERROR", "RCODE23".
std::string type_name(uint16_t t);
std::string class_name(uint16_t c);
std::string rcode_name(uint16_t r);
// Reverse of type_name for configuration ("AAAA" -> 28, "TYPE99" -> 99); false if unknown.
bool parse_type(std::string_view text, uint16_t& out);
bool parse_rcode(std::string_view text, uint16_t& out);

// The four rcodes a handler returns when it wrote nothing (CoreDNS's ClientWrite rule).
constexpr bool is_unwritten_rcode(uint16_t r) {
  return r == rcode::SERVFAIL || r == rcode::REFUSED || r == rcode::FORMERR ||
         r == rcode::NOTIMP;
}

}  // namespace coredns::dns
