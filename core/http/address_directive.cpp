#include "core/http/address_directive.h"

#include "core/util/error.h"
#include "core/util/go_host_port.h"

namespace coredns::http {

std::string parse_address_directive(corefile::Dispenser& d, std::string fallback) {
  std::string address = std::move(fallback);
  bool seen = false;
  while (d.next()) {
    if (seen) throw ConfigError("this plugin can only be used once per Server Block");
    seen = true;
    const auto args = d.remaining_args();
    if (args.size() > 1) throw d.arg_err();
    if (args.size() == 1) {
      std::string error;
      if (!go_split_host_port(args[0], error)) throw ConfigError(error);
      address = args[0];
    }
  }
  return address;
}

}  // namespace coredns::http
