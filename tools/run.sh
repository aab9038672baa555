#!/usr/bin/env bash
# Builds coredns and runs it on Corefile.example (port 53 by default; PORT=1053 tools/run.sh to
# pick another for the keys that name none).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
dir=$(tools/build.sh release)
exec "$dir/core/main/coredns" -conf Corefile.example -dns.port "${PORT:-53}"
