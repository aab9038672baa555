#include "core/util/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <iterator>

#include "core/util/log_json.h"

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

void write_line(std::string_view line) {
  std::string l;
  l.reserve(line.size() + 1);
  l.append(line);
  l.push_back('\n');
  write_all(l);
}

void emit(std::string_view line) {
  if (!t_buffer.enabled) return write_line(line);
  t_buffer.data.append(line);
  t_buffer.data.push_back('\n');
  if (t_buffer.data.size() >= kFlushThreshold) flush_thread();
}

// Formats straight into the thread's buffer when there is one: no temporary string per line.
template <typename... Args>
void emit_format(fmt::format_string<Args...> f, Args&&... args) {
  if (!t_buffer.enabled) return write_line(fmt::format(f, std::forward<Args>(args)...));
  fmt::format_to(std::back_inserter(t_buffer.data), f, std::forward<Args>(args)...);
  t_buffer.data.push_back('\n');
  if (t_buffer.data.size() >= kFlushThreshold) flush_thread();
}

std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

void write(Level level, std::string_view plugin, std::string_view message) {
  if (level == Level::debug && !debug_enabled()) return;
  if (format() == Format::json) {
    auto j = json_line(level, plugin);
    j["msg"] = message;
    write_json(j);
    return;
  }
  if (plugin.empty())
    emit_format("[{}] {}", level_text(level), message);
  else
    emit_format("[{}] plugin/{}: {}", level_text(level), plugin, message);
}

nlohmann::ordered_json json_line(Level level, std::string_view plugin) {
  nlohmann::ordered_json j;
  j["level"] = level_text(level);
  if (!plugin.empty()) j["plugin"] = plugin;
  return j;
}

void write_json(const nlohmann::ordered_json& line) { emit(dump(line)); }

bool parse_format(std::string_view name, Format& out) {
  if (name == "text") {
    out = Format::text;
    return true;
  }
  if (name == "json") {
    out = Format::json;
    return true;
  }
  return false;
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
