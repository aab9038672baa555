#include "core/util/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <nlohmann/json.hpp>

namespace coredns::log {
namespace {

std::atomic<bool> g_debug{false};
std::atomic<Format> g_format{Format::text};

struct ThreadBuffer {
  bool enabled = false;
  std::string data;
  ~ThreadBuffer() {
    if (!data.empty()) {
      enabled = false;
      flush_thread();
    }
  }
};
thread_local ThreadBuffer t_buffer;

constexpr size_t kFlushThreshold = 32 * 1024;

std::string_view level_text(Level l) {
  switch (l) {
    case Level::debug: return "DEBUG";
    case Level::info: return "INFO";
    case Level::warning: return "WARNING";
    case Level::error: return "ERROR";
    case Level::fatal: return "FATAL";
  }
  return "INFO";
}

std::string_view level_json(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warning: return "warn";
    case Level::error: return "error";
    case Level::fatal: return "fatal";
  }
  return "info";
}

void write_all(std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(STDOUT_FILENO, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    s.remove_prefix(static_cast<size_t>(n));
  }
}

void emit(std::string_view line) {
  if (t_buffer.enabled) {
    t_buffer.data.append(line);
    t_buffer.data.push_back('\n');
    if (t_buffer.data.size() >= kFlushThreshold) flush_thread();
    return;
  }
  std::string l;
  l.reserve(line.size() + 1);
  l.append(line);
  l.push_back('\n');
  write_all(l);
}

}  // namespace

void write(Level level, std::string_view plugin, std::string_view message) {
  if (level == Level::debug && !debug_enabled()) return;
  if (format() == Format::json) {
    nlohmann::json j;
    j["level"] = level_json(level);
    if (!plugin.empty()) j["plugin"] = plugin;
    j["msg"] = message;
    emit(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return;
  }
  if (plugin.empty())
    emit(fmt::format("[{}] {}", level_text(level), message));
  else
    emit(fmt::format("[{}] plugin/{}: {}", level_text(level), plugin, message));
}

void write_raw_line(std::string_view line) { emit(line); }

void set_debug(bool on) { g_debug.store(on, std::memory_order_relaxed); }
bool debug_enabled() { return g_debug.load(std::memory_order_relaxed); }
void set_format(Format f) { g_format.store(f, std::memory_order_relaxed); }
Format format() { return g_format.load(std::memory_order_relaxed); }

void enable_thread_buffer() { t_buffer.enabled = true; }

void flush_thread() {
  if (t_buffer.data.empty()) return;
  write_all(t_buffer.data);
  t_buffer.data.clear();
}

}  // namespace coredns::log
