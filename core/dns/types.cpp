#include "core/dns/types.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace coredns::dns {
namespace {

struct Mnemonic {
  uint16_t value;
  std::string_view name;
};

constexpr Mnemonic kTypes[] = {
    {type::A, "A"},         {type::NS, "NS"},          {type::MD, "MD"},
    {type::MF, "MF"},       {type::CNAME, "CNAME"},    {type::SOA, "SOA"},
    {type::MB, "MB"},       {type::MG, "MG"},          {type::MR, "MR"},
    {type::NULL_, "NULL"},  {type::WKS, "WKS"},        {type::PTR, "PTR"},
    {type::HINFO, "HINFO"}, {type::MINFO, "MINFO"},    {type::MX, "MX"},
    {type::TXT, "TXT"},     {type::RP, "RP"},          {type::AFSDB, "AFSDB"},
    {19, "X25"},            {20, "ISDN"},              {21, "RT"},
    {22, "NSAPPTR"},        {type::SIG, "SIG"},        {type::KEY, "KEY"},
    {type::PX, "PX"},       {27, "GPOS"},              {type::AAAA, "AAAA"},
    {type::LOC, "LOC"},     {type::NXT, "NXT"},        {31, "EID"},
    {32, "NIMLOC"},         {type::SRV, "SRV"},        {34, "ATMA"},
    {type::NAPTR, "NAPTR"}, {type::KX, "KX"},          {type::CERT, "CERT"},
    {type::DNAME, "DNAME"}, {type::OPT, "OPT"},        {type::APL, "APL"},
    {type::DS, "DS"},       {type::SSHFP, "SSHFP"},    {type::IPSECKEY, "IPSECKEY"},
    {type::RRSIG, "RRSIG"}, {type::NSEC, "NSEC"},      {type::DNSKEY, "DNSKEY"},
    {type::DHCID, "DHCID"}, {type::NSEC3, "NSEC3"},    {type::NSEC3PARAM, "NSEC3PARAM"},
    {type::TLSA, "TLSA"},   {type::SMIMEA, "SMIMEA"},  {type::HIP, "HIP"},
    {56, "NINFO"},          {57, "RKEY"},              {58, "TALINK"},
    {type::CDS, "CDS"},     {type::CDNSKEY, "CDNSKEY"}, {type::OPENPGPKEY, "OPENPGPKEY"},
    {type::CSYNC, "CSYNC"}, {type::ZONEMD, "ZONEMD"},  {type::SVCB, "SVCB"},
    {type::HTTPS, "HTTPS"}, {type::SPF, "SPF"},        {100, "UINFO"},
    {101, "UID"},           {102, "GID"},              {103, "UNSPEC"},
    {104, "NID"},           {105, "L32"},              {106, "L64"},
    {107, "LP"},            {108, "EUI48"},            {109, "EUI64"},
    {type::TKEY, "TKEY"},   {type::TSIG, "TSIG"},      {type::IXFR, "IXFR"},
    {type::AXFR, "AXFR"},   {253, "MAILB"},            {254, "MAILA"},
    {type::ANY, "ANY"},     {type::URI, "URI"},        {type::CAA, "CAA"},
    {258, "AVC"},           {260, "AMTRELAY"},         {32768, "TA"},
    {32769, "DLV"},
};

constexpr Mnemonic kClasses[] = {
    {cls::IN, "IN"}, {cls::CS, "CS"}, {cls::CH, "CH"}, {cls::HS, "HS"},
    {cls::NONE, "NONE"}, {cls::ANY, "ANY"},
};

constexpr Mnemonic kRcodes[] = {
    {0, "NOERROR"},  {1, "FORMERR"},  {2, "SERVFAIL"}, {3, "NXDOMAIN"}, {4, "NOTIMP"},
    {5, "REFUSED"},  {6, "YXDOMAIN"}, {7, "YXRRSET"},  {8, "NXRRSET"},  {9, "NOTAUTH"},
    {10, "NOTZONE"}, {16, "BADVERS"},  {17, "BADKEY"},  {18, "BADTIME"}, {19, "BADMODE"},
    {20, "BADNAME"}, {21, "BADALG"},  {22, "BADTRUNC"}, {23, "BADCOOKIE"},
};

template <size_t N>
std::string_view find_name(const Mnemonic (&table)[N], uint16_t value) {
  for (const auto& m : table)
    if (m.value == value) return m.name;
  return {};
}

template <size_t N>
bool find_value(const Mnemonic (&table)[N], std::string_view name, uint16_t& out) {
  for (const auto& m : table) {
    if (m.name.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      char c = name[i];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      same = c == m.name[i];
    }
    if (same) {
      out = m.value;
      return true;
    }
  }
  return false;
}

bool parse_prefixed_number(std::string_view text, std::string_view prefix, uint16_t& out) {
  if (text.size() <= prefix.size() || text.size() > prefix.size() + 5) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != prefix[i]) return false;
  }
  uint32_t v = 0;
  for (char c : text.substr(prefix.size())) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v > 0xFFFF) return false;
  out = static_cast<uint16_t>(v);
  return true;
}

}  // namespace

std::string type_name(uint16_t t) {
  auto n = find_name(kTypes, t);
  return n.empty() ? fmt::format("TYPE{}", t) : std::string(n);
}

std::string class_name(uint16_t c) {
  auto n = find_name(kClasses, c);
  return n.empty() ? fmt::format("CLASS{}", c) : std::string(n);
}

std::string rcode_name(uint16_t r) {
  auto n = find_name(kRcodes, r);
  return n.empty() ? fmt::format("{}", r) : std::string(n);
}

bool parse_type(std::string_view text, uint16_t& out) {
  return find_value(kTypes, text, out) || parse_prefixed_number(text, "TYPE", out);
}

bool parse_rcode(std::string_view text, uint16_t& out) {
  return find_value(kRcodes, text, out);
}

}  // namespace coredns::dns
