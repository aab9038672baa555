// Process log: syslog (daemon, -n), stdout (-d, --stdout) or the journal's stream format.
#pragma once

#include <fmt/format.h>
#include <string_view>
#include <syslog.h>

#include "nat64/cli.h"

namespace nat64 {

void log_init(LogTarget target, bool debug);
void log_msg(int priority, std::string_view msg);

template <class... A>
void log_err(fmt::format_string<A...> f, A&&... a) { log_msg(LOG_ERR, fmt::format(f, std::forward<A>(a)...)); }
template <class... A>
void log_warn(fmt::format_string<A...> f, A&&... a) { log_msg(LOG_WARNING, fmt::format(f, std::forward<A>(a)...)); }
template <class... A>
void log_notice(fmt::format_string<A...> f, A&&... a) { log_msg(LOG_NOTICE, fmt::format(f, std::forward<A>(a)...)); }
template <class... A>
void log_info(fmt::format_string<A...> f, A&&... a) { log_msg(LOG_INFO, fmt::format(f, std::forward<A>(a)...)); }
template <class... A>
void log_debug(fmt::format_string<A...> f, A&&... a) { log_msg(LOG_DEBUG, fmt::format(f, std::forward<A>(a)...)); }

// systemd readiness (Type=notify), when NOTIFY_SOCKET is set.
void notify_ready();

}  // namespace nat64
