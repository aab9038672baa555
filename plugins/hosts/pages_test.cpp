// The mapped growable array under the hosts table: contents survive every move between malloc
// and a mapping, and between mappings.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <numeric>
#include <vector>

#include "plugins/hosts/pages.h"

using coredns::plugins::hosts::PagedVector;

namespace {

template <typename T>
bool counts_up(const PagedVector<T>& v, T from = 0) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] != static_cast<T>(from + i)) return false;
  return true;
}

}  // namespace

TEST_CASE("a paged array keeps its elements while it grows past the mapped size", "[pages]") {
  PagedVector<uint32_t> v;
  const size_t many = 3 * PagedVector<uint32_t>::kMapped;  // 12 times the bytes that get mapped
  for (uint32_t i = 0; i < many; ++i) v.push_back(i);
  CHECK(v.size() == many);
  CHECK(v.capacity() >= many);
  CHECK(counts_up(v));
  CHECK(std::accumulate(v.begin(), v.end(), uint64_t{0}) == uint64_t{many} * (many - 1) / 2);
}

TEST_CASE("append copies a run, from malloc into a mapping and on within it", "[pages]") {
  PagedVector<uint8_t> v;
  uint8_t run[1000];
  std::iota(run, run + sizeof run, uint8_t{0});
  size_t runs = 0;
  for (; v.size() < 4 * PagedVector<uint8_t>::kMapped; ++runs) v.append(run, run + sizeof run);
  REQUIRE(v.size() == runs * sizeof run);
  bool same = true;
  for (size_t i = 0; i < v.size(); ++i) same = same && v[i] == static_cast<uint8_t>(i % 1000);
  CHECK(same);
  v.append(run, run);  // nothing
  CHECK(v.size() == runs * sizeof run);
}

TEST_CASE("shrink_to_fit keeps the elements, back into malloc when they fit there", "[pages]") {
  PagedVector<uint64_t> v;
  for (uint64_t i = 0; i < 100000; ++i) v.push_back(i);
  v.resize(70000);
  v.shrink_to_fit();
  CHECK(v.size() == 70000);
  CHECK(v.capacity() >= 70000);
  const size_t per_page = static_cast<size_t>(sysconf(_SC_PAGESIZE)) / sizeof(uint64_t);
  CHECK(v.capacity() < 70000 + per_page);  // the rest of the last page
  CHECK(counts_up(v));
  v.resize(10);
  v.shrink_to_fit();
  CHECK(v.capacity() == 10);
  CHECK(counts_up(v));
  v.resize(0);
  v.shrink_to_fit();
  CHECK(v.capacity() == 0);
  CHECK(v.data() == nullptr);
}

TEST_CASE("resize zeroes, assign fills or copies, a move leaves the source empty", "[pages]") {
  PagedVector<uint32_t> v(5, 7u);
  CHECK(std::vector<uint32_t>(v.begin(), v.end()) == std::vector<uint32_t>{7, 7, 7, 7, 7});
  v.resize(70000);
  CHECK(v[4] == 7);
  CHECK(v[5] == 0);
  CHECK(v[69999] == 0);
  PagedVector<uint32_t> w(v.begin() + 3, v.begin() + 6);
  CHECK(std::vector<uint32_t>(w.begin(), w.end()) == std::vector<uint32_t>{7, 7, 0});
  w.assign(40000, 9u);
  CHECK(w.size() == 40000);
  CHECK(w[39999] == 9);
  PagedVector<uint32_t> moved(std::move(w));
  CHECK(w.empty());
  CHECK(w.capacity() == 0);
  CHECK(moved.size() == 40000);
  moved = std::move(v);  // the mapped array it held is released
  CHECK(moved.size() == 70000);
  CHECK(v.empty());
  moved = {};
  CHECK(moved.capacity() == 0);
}
