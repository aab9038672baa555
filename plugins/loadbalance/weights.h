#pragma once
// The weight file of `loadbalance weighted` and its periodic re-reading.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/dns/name.h"

namespace coredns::plugins::loadbalance {

struct WeightEntry {
  int family = 0;  // AF_INET or AF_INET6
  uint8_t addr[16] = {};
  uint8_t weight = 1;
};

// Domain -> (address, weight) in file order. Domains compare ignoring case.
struct WeightTable {
  std::vector<std::pair<dns::Name, std::vector<WeightEntry>>> domains;

  // The first weight listed for this owner and address, else 1.
  uint32_t weight(const dns::Name& owner, int family, const uint8_t* addr) const;
};

// Parses the text of a weight file; throws std::runtime_error with CoreDNS's message (which
// names `path`) when a line is wrong.
WeightTable parse_weights(const std::string& text, const std::string& path);

// The current table, replaced in the background when the file changes.
class WeightFile {
 public:
  WeightFile(std::string path, std::chrono::nanoseconds reload);
  ~WeightFile();

  // First read at startup: a parse error, or an unreadable file with reloading off, is a
  // startup failure (thrown as ConfigError); an unreadable file with reloading on is a warning.
  void load_initial();
  // Starts and stops the re-reading thread (nothing when reloading is off).
  void start();
  void stop();
  // Reads the file and swaps the table if its content changed; false on a read error.
  bool check();

  std::shared_ptr<const WeightTable> table() const { return table_.load(std::memory_order_acquire); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::chrono::nanoseconds reload_;
  std::string last_text_;
  bool have_text_ = false;
  std::atomic<std::shared_ptr<const WeightTable>> table_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace coredns::plugins::loadbalance
