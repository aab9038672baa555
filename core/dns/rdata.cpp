#include "core/dns/rdata.h"

#include "core/dns/types.h"

namespace coredns::dns {

RdataNames rdata_names(uint16_t t) {
  switch (t) {
    case type::NS: case type::MD: case type::MF: case type::CNAME: case type::MB:
    case type::MG: case type::MR: case type::PTR: case type::DNAME:
      return {0, 1};
    case type::MINFO: case type::RP: case type::SOA:
      return {0, 2};
    case type::MX: case type::AFSDB: case 21 /* RT */: case type::KX:
      return {2, 1};
    case type::PX:
      return {2, 2};
    case type::SRV:
      return {6, 1};
    default:
      return {0, 0};
  }
}

bool rdata_names_compressible_on_write(uint16_t t) {
  switch (t) {
    case type::NS: case type::MD: case type::MF: case type::CNAME: case type::SOA:
    case type::MB: case type::MG: case type::MR: case type::PTR: case type::MINFO:
    case type::MX:
      return true;
    default:
      return false;
  }
}

}  // namespace coredns::dns
