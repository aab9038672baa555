// <data-dir>/dynamic.map on disk: written atomically (temp file, fsync, rename, fsync of the
// directory), so a crash or kill -9 leaves either the old or the new file, never a torn one.
#pragma once

#include <string>
#include <string_view>

namespace nat64 {

// Writes `content` to `path` atomically. On failure returns false and sets `err`.
bool write_file_atomic(const std::string& path, std::string_view content, std::string& err);

inline std::string dynamic_map_path(const std::string& data_dir) { return data_dir + "/dynamic.map"; }

}  // namespace nat64
