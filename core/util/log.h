#pragma once
// The process log: every line goes to stdout as "[LEVEL] message" or, for plugins,
// "[LEVEL] plugin/NAME: message", with no timestamp (CoreDNS's plugin/pkg/log). A worker thread
// buffers its lines and writes them once per loop iteration, so logging never takes a lock shared
// by workers.
#include <fmt/format.h>

#include <string>
#include <string_view>

namespace coredns::log {

enum class Level { debug, info, warning, error, fatal };

// Writes one line. `plugin` empty means a core message.
void write(Level level, std::string_view plugin, std::string_view message);

inline void debug(std::string_view m) { write(Level::debug, {}, m); }
inline void info(std::string_view m) { write(Level::info, {}, m); }
inline void warning(std::string_view m) { write(Level::warning, {}, m); }
inline void error(std::string_view m) { write(Level::error, {}, m); }

// A plugin's logger: plugin_logger("reload").info("...") -> "[INFO] plugin/reload: ...".
struct PluginLogger {
  std::string_view plugin;
  void debug(std::string_view m) const { write(Level::debug, plugin, m); }
  void info(std::string_view m) const { write(Level::info, plugin, m); }
  void warning(std::string_view m) const { write(Level::warning, plugin, m); }
  void error(std::string_view m) const { write(Level::error, plugin, m); }
};
inline PluginLogger plugin_logger(std::string_view plugin) { return {plugin}; }

// [DEBUG] lines are written only once the `debug` plugin turned them on.
void set_debug(bool on);
bool debug_enabled();

// Output format: CoreDNS's text lines, or one JSON object per line (-log-format=json):
// {"level":"INFO","plugin":"reload","msg":"..."} ("plugin" only for plugin lines; the level
// names are the text format's, so one filter works on both). Lines with structured data carry
// their own fields instead of "msg" (core/util/log_json.h).
enum class Format { text, json };
// "text" or "json"; false for anything else.
bool parse_format(std::string_view name, Format& out);
void set_format(Format f);
Format format();

// Writes a raw, already formatted line (no level prefix) through the same buffering.
void write_raw_line(std::string_view line);

// Buffering for the calling thread, for worker loops: lines are kept until flush_thread().
void enable_thread_buffer();
void flush_thread();

}  // namespace coredns::log
