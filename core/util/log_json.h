#pragma once
// Structured lines for -log-format=json: {"level":...,"plugin":..., then the caller's fields in
// their order}. Kept apart from log.h so that only the few writers of structured lines pay for
// nlohmann's header.
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/util/log.h"

namespace coredns::log {

// Starts a structured line, {"level":...,"plugin":...}: add fields, then write_json() it.
nlohmann::ordered_json json_line(Level level, std::string_view plugin);
// Writes one JSON line, whatever format() is; callers check format() == Format::json first.
void write_json(const nlohmann::ordered_json& line);

}  // namespace coredns::log
