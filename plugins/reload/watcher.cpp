#include "plugins/reload/watcher.h"

#include <fmt/format.h>

#include <random>

#include "core/async/loop.h"
#include "core/corefile/parser.h"
#include "core/metrics/metrics.h"
#include "core/plugin/reload.h"
#include "core/util/error.h"
#include "core/util/log.h"

namespace coredns::plugins::reload {
namespace {

const log::PluginLogger logger = log::plugin_logger("reload");

metrics::GaugeFamily& version_info() {
  return metrics::Registry::global().gauge(
      "coredns_reload_version_info",
      "A metric with a constant '1' value labeled by hash, and value which type of hash generated.",
      {"hash", "value"});
}

}  // namespace

std::chrono::nanoseconds check_period(const Settings& s) {
  if (s.jitter.count() == 0) return s.interval;
  std::random_device rd;
  std::uniform_int_distribution<int64_t> draw(0, s.jitter.count() - 1);
  return s.interval - s.jitter / 2 + std::chrono::nanoseconds(draw(rd));
}

std::string corefile_fingerprint(const std::string& text, const std::string& path) {
  corefile::ParseOptions po;
  po.path = path;
  return corefile::fingerprint_sha512(corefile::parse(text, po));
}

void Watcher::start() {
  const CorefileInput& input = reloader().running_corefile();
  try {
    last_ = corefile_fingerprint(input.text, input.path);
  } catch (const ConfigError&) {
    last_.clear();
  }
  logger.info(fmt::format("Running configuration SHA512 = {}", last_));
  auto& family = version_info();
  family.clear();
  family.with({"sha512", last_}).set(1);
  timer_ = async::start_timer(reloader().control_loop(), period_, true,
                              [this] { check(); });
}

void Watcher::stop() {
  if (!timer_) return;
  async::cancel_timer(timer_);
  timer_ = nullptr;
}

void Watcher::check() {
  Reloader& process = reloader();
  CorefileInput input;
  try {
    input = process.load_corefile();
  } catch (const ConfigError&) {
    return;  // a read error is skipped; the next period tries again
  }
  std::string hash;
  try {
    hash = corefile_fingerprint(input.text, input.path);
  } catch (const ConfigError& e) {
    logger.warning(fmt::format("Corefile parse failed: {}", e.what()));
    return;
  }
  if (hash == last_) return;
  // Remembered before trying, so a broken configuration is not retried until it changes again.
  last_ = hash;
  if (auto err = process.reload(input))
    logger.error(fmt::format(
        "Corefile changed but reload failed: starting with listener file descriptors: {}", *err));
}

}  // namespace coredns::plugins::reload
