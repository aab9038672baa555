#pragma once
// A set of domains and the question "is this name at or below one of them", answered with one
// hash probe per label of the name and no allocation (for `translate_all` and `except`).
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/dns/name.h"

namespace coredns::plugins::dns64 {

class DomainSet {
 public:
  DomainSet() = default;
  DomainSet(const DomainSet& o) { *this = o; }
  DomainSet& operator=(const DomainSet& o);

  void add(const dns::Name& domain);
  bool empty() const { return wires_.empty(); }
  // `name` must be lower-case (Request::qname_lower()).
  bool covers(const dns::Name& name) const;

 private:
  void rebuild_index();

  std::vector<std::string> wires_;              // lower-case wire forms, owned
  std::unordered_set<std::string_view> index_;  // views into wires_
};

}  // namespace coredns::plugins::dns64
