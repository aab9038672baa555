#pragma once
#include <string>
#include <vector>

#include "core/corefile/dispenser.h"
#include "core/plugin/handler.h"

namespace coredns::plugins::chaos {

struct Config {
  std::string version;
  std::vector<std::string> authors;  // sorted, unique
  std::string hostname;
};

// The built-in list of authors CoreDNS answers authors.bind with.
const std::vector<std::string>& default_authors();

// Parses the `chaos` directive of one server block (CoreDNS reads only its first line).
Config parse_config(corefile::Dispenser& d, std::string hostname);

// Answers CH TXT queries for version.bind, version.server, authors.bind, hostname.bind and
// id.server; passes on every other query.
class Chaos : public Handler {
 public:
  explicit Chaos(Config c) : config_(std::move(c)) {}
  std::string_view name() const override { return "chaos"; }
  // Answers its CH names from the question alone and passes everything else on untouched.
  Reuse reply_reuse() const override { return Reuse::pass; }
  Task<Response> serve(Request& req, Next next) override;
  // CH queries must reach the chain (CoreDNS opens the class filter for chaos).
  bool accepts_any_class() const override { return true; }

  // The reply for `req`, or empty when the name is not one chaos answers. `seed` orders the
  // authors (CoreDNS shuffles them with the current second).
  std::vector<uint8_t> answer(const Request& req, uint64_t seed) const;

 private:
  Config config_;
};

}  // namespace coredns::plugins::chaos
