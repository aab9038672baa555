#pragma once
// Where the Corefile comes from (CoreDNS's coremain/run.go, confLoader): -conf FILE (or stdin),
// ./Corefile, or the build's default.
#include <string>

#include "core/plugin/reload.h"

namespace coredns::server {

// The text served when there is no Corefile (and when one parses to zero server blocks).
std::string default_corefile(const std::string& port);

// Loads the Corefile. Throws ConfigError with CoreDNS's message on a read error
// ("loading Caddyfile via flag: open /x: no such file or directory").
CorefileInput load_corefile(const std::string& conf_flag, const std::string& default_port);

}  // namespace coredns::server
