// libFuzzer target for the hosts-file parser and its table (plugins/hosts): any bytes are a
// hosts file. Besides memory errors it checks that every stored name is found again under its
// own key, that names and addresses point at each other, and CoreDNS's entry count.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "plugins/hosts/parse.h"
#include "plugins/hosts/store.h"

using namespace coredns;
using namespace coredns::plugins::hosts;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool same(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

bool lists(std::span<const Store::Entry> names, const Store& s, std::span<const uint8_t> wire) {
  for (uint32_t x : names)
    if (same(s.name_wire(x), wire)) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the zones, the rest is the file.
  static const ZoneSet root({"."});
  static const ZoneSet org({"example.org.", "10.in-addr.arpa."});
  const ZoneSet& zones = (data[0] & 1) ? org : root;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  StoreBuilder with_rev(true), without_rev(false);
  parse_hosts(text, zones, with_rev);
  parse_hosts(text, zones, without_rev);
  Store s = with_rev.finish();
  Store plain = without_rev.finish();
  check(s.name_count() == plain.name_count());

  size_t addresses = 0, wild = 0;
  size_t count_names = 0;
  for (Store::Entry i = s.first(); i != Store::kNone; i = s.next(i)) {
    ++count_names;
    std::span<const uint8_t> wire = s.name_wire(i);
    dns::Name n;
    check(dns::Name::from_wire(wire, n));
    check(zones.contains(n));
    dns::Name lower = n.lowered();
    check(lower == n);  // stored lower-cased
    const Store::Entry e = s.find(wire);
    check(e == i);
    const Store::Addresses a = s.addresses(e);
    const size_t count = a.v4.size() + a.v6.size();
    check(count > 0);
    addresses += count;
    const bool is_wild = wire.size() > 2 && wire[0] == 1 && wire[1] == '*';
    if (is_wild) wild += count;
    // Every address of a non-wildcard name lists the name back; a wildcard is never listed.
    for (uint32_t i : a.v4) check(lists(s.names_of_v4(s.v4(i)), s, wire) != is_wild);
    for (uint32_t i : a.v6) check(lists(s.names_of_v6(s.v6(i)), s, wire) != is_wild);
    if (!is_wild && n.label_count() >= 2) {
      // A one-label wildcard lookup never finds the name itself.
      const Store::Entry w = s.find_wildcard(n);
      check(w != e);
    }
  }
  check(count_names == s.name_count());
  check(plain.size() == addresses);
  check(s.size() == addresses * 2 - wild);
  return 0;
}
