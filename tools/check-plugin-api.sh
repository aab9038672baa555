#!/usr/bin/env bash
# The plugin API's wall: a plugin (its code and its unit tests) uses core/plugin, core/dns,
# core/util, core/corefile, core/metrics, core/http, core/tls/tls.h and the public part of
# core/async, never the server (core/server/), never the TLS library behind core/tls (its other
# headers, mbedtls/) and never a `detail` namespace. docs/adding-a-plugin.md lists the headers.
# Registered with ctest as lint.plugin_api; prints every offending line and exits 1 if any.
#
# The nat64 translator under plugins/nat64/translator/ is a program of its own, not a plugin: it
# links no plugin API, so the wall does not apply to it.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
found=$(find plugins -path plugins/nat64/translator -prune -o -type f \
          \( -name '*.cpp' -o -name '*.h' -o -name '*.hpp' -o -name '*.cc' \) -print0 |
        xargs -0 grep -n -E '#[[:space:]]*include[[:space:]]*[<"](core/server/|core/tls/mbed|mbedtls/)|\<detail::|namespace[[:space:]]+([a-z_]+::)*detail\>' ||
        true)
if [[ -n $found ]]; then
  echo "plugins may use the plugin API only (docs/adding-a-plugin.md); these lines reach past it:"
  echo "$found"
  exit 1
fi
echo "plugin API check: no plugin includes core/server/ or the TLS library, or uses a detail namespace"
