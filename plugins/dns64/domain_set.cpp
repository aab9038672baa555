#include "plugins/dns64/domain_set.h"

namespace coredns::plugins::dns64 {
namespace {

std::string_view as_view(std::span<const uint8_t> wire) {
  return {reinterpret_cast<const char*>(wire.data()), wire.size()};
}

}  // namespace

DomainSet& DomainSet::operator=(const DomainSet& o) {
  if (this != &o) {
    wires_ = o.wires_;
    rebuild_index();
  }
  return *this;
}

void DomainSet::add(const dns::Name& domain) {
  const dns::Name lower = domain.lowered();
  wires_.emplace_back(as_view(lower.wire()));
  rebuild_index();
}

void DomainSet::rebuild_index() {
  // Views point into the strings, which a vector growth may move (short strings live inline).
  index_.clear();
  for (const std::string& w : wires_) index_.insert(w);
}

bool DomainSet::covers(const dns::Name& name) const {
  if (wires_.empty()) return false;
  bool found = false;
  name.for_each_suffix([&](std::span<const uint8_t> suffix) {
    found = found || index_.count(as_view(suffix)) > 0;
  });
  return found;
}

}  // namespace coredns::plugins::dns64
