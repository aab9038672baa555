#include "plugins/loadbalance/weights.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/util/duration.h"
#include "core/util/error.h"
#include "core/util/log.h"
#include "core/util/read_file.h"

namespace coredns::plugins::loadbalance {
namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\v\f");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\v\f") - b + 1);
}

// The line's whitespace-separated words, as Go's strings.Fields.
std::vector<std::string> fields(const std::string& s) {
  constexpr const char* kSpace = " \t\r\v\f";
  std::vector<std::string> out;
  for (size_t at = s.find_first_not_of(kSpace); at != std::string::npos;
       at = s.find_first_not_of(kSpace, at)) {
    const size_t end = std::min(s.find_first_of(kSpace, at), s.size());
    out.push_back(s.substr(at, end - at));
    at = end;
  }
  return out;
}

bool parse_ip(const std::string& text, WeightEntry& e) {
  if (inet_pton(AF_INET, text.c_str(), e.addr) == 1) {
    e.family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), e.addr) == 1) {
    e.family = AF_INET6;
    // An IPv4-mapped address weighs the IPv4 address, as Go compares net.IPs.
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(e.addr, mapped, 12) == 0) {
      std::memmove(e.addr, e.addr + 12, 4);
      e.family = AF_INET;
    }
    return true;
  }
  return false;
}

}  // namespace

uint32_t WeightTable::weight(const dns::Name& owner, int family, const uint8_t* addr) const {
  for (const auto& [name, entries] : domains) {
    if (!name.equals_ci(owner)) continue;
    const size_t len = family == AF_INET ? 4 : 16;
    for (const WeightEntry& e : entries)
      if (e.family == family && std::memcmp(e.addr, addr, len) == 0) return e.weight;
  }
  return 1;
}

WeightTable parse_weights(const std::string& text, const std::string& path) {
  WeightTable t;
  std::vector<WeightEntry>* current = nullptr;
  for (size_t at = 0; at < text.size();) {
    const size_t end = std::min(text.find('\n', at), text.size());
    const std::string line = trim(text.substr(at, end - at));
    at = end + 1;
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> f = fields(line);
    if (f.size() == 1) {
      WeightEntry probe;
      if (parse_ip(f[0], probe))
        throw std::runtime_error("wrong domain name:\"" + f[0] + "\" in weight file " + path +
                                 ". (Maybe a missing weight value?)");
      std::string domain = f[0];
      if (domain.back() != '.') domain += '.';
      dns::Name n;
      if (!dns::Name::from_text(domain, n))
        throw std::runtime_error("wrong domain name:\"" + f[0] + "\" in weight file " + path);
      current = nullptr;
      for (auto& [name, entries] : t.domains)
        if (name.equals_ci(n)) current = &entries;
      if (!current) current = &t.domains.emplace_back(n, std::vector<WeightEntry>{}).second;
    } else if (f.size() == 2) {
      if (!current) throw std::runtime_error("missing domain name in weight file " + path);
      WeightEntry e;
      if (!parse_ip(f[0], e))
        throw std::runtime_error("wrong IP address:\"" + f[0] + "\" in weight file " + path);
      const std::string& w = f[1];
      int value = 0;
      const bool digits = !w.empty() && w.size() <= 3 &&
                          w.find_first_not_of("0123456789") == std::string::npos;
      if (digits) value = std::stoi(w);
      if (!digits || value < 1 || value > 255)
        throw std::runtime_error("wrong weight value:\"" + w + "\" in weight file " + path);
      e.weight = static_cast<uint8_t>(value);
      current->push_back(e);
    } else {
      throw std::runtime_error("could not parse weight line:\"" + line + "\" in weight file " +
                               path);
    }
  }
  return t;
}

WeightFile::WeightFile(std::string path, std::chrono::nanoseconds reload)
    : path_(std::move(path)), reload_(reload), table_(std::make_shared<const WeightTable>()) {}

WeightFile::~WeightFile() { stop(); }

void WeightFile::load_initial() {
  std::string text;
  if (util::read_file(path_, text)) {
    if (reload_.count() == 0) throw ConfigError("weight file open error");
    log::plugin_logger("loadbalance")
        .warning("Failed to open weight file:weight file open error. Will try again in " +
                 format_duration(reload_));
    return;
  }
  try {
    table_.store(std::make_shared<const WeightTable>(parse_weights(text, path_)));
  } catch (const std::runtime_error& e) {
    throw ConfigError(e.what());
  }
  last_text_ = std::move(text);
  have_text_ = true;
  log::plugin_logger("loadbalance").info("Successfully reloaded weight file " + path_);
}

bool WeightFile::check() {
  std::string text;
  if (util::read_file(path_, text)) return false;
  if (have_text_ && text == last_text_) return true;
  // Remembered before parsing: a broken file is not parsed again until it changes.
  last_text_ = text;
  have_text_ = true;
  try {
    table_.store(std::make_shared<const WeightTable>(parse_weights(text, path_)),
                 std::memory_order_release);
    log::plugin_logger("loadbalance").info("Successfully reloaded weight file " + path_);
  } catch (const std::runtime_error& e) {
    log::plugin_logger("loadbalance").error(e.what());
  }
  return true;
}

void WeightFile::start() {
  if (reload_.count() == 0 || thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, reload_, [this] { return stopping_; })) {
      lock.unlock();
      check();
      lock.lock();
    }
  });
}

void WeightFile::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace coredns::plugins::loadbalance
