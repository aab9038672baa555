#pragma once
// Errors that stop startup or a reload: a Corefile problem, a plugin's setup rejecting its
// arguments, a listener that cannot bind. The text is what the user sees, already formatted
// the way CoreDNS prints it (e.g. "Corefile:3 - Error during parsing: Unknown directive 'foo'").
#include <stdexcept>
#include <string>

namespace coredns {

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace coredns
