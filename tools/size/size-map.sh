#!/bin/sh
# Links PROGRAM of a tools/build-static.sh build again with a linker map and prints what each
# archive and project library contributes (tools/size/linkmap.py).
#
#   tools/size/size-map.sh BUILD_DIR coredns|nat64|coredns_multicall [linkmap.py args, e.g. --objects libstdc++.a]
#
# The map is left at BUILD_DIR/PROGRAM.map; the program itself is not touched.
set -eu
[ $# -ge 2 ] || { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
BUILD_DIR=$(cd "$1" && pwd)
PROG=$2
shift 2
case "$PROG" in
  coredns) dir=core/main ;;
  nat64) dir=plugins/nat64/translator ;;
  coredns_multicall) dir=plugins/nat64 ;;
  *) echo "size-map.sh: PROGRAM is coredns, nat64 or coredns_multicall (the image's binary)" >&2; exit 2 ;;
esac
LINK=$BUILD_DIR/$dir/CMakeFiles/$PROG.dir/link.txt
[ -f "$LINK" ] || { echo "size-map.sh: $LINK missing (a Makefile build from tools/build-static.sh)" >&2; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
link=$(sed -e "s| -o $PROG | -o $tmp |" "$LINK")
(cd "$BUILD_DIR/$dir" && eval "$link -Wl,-Map=$BUILD_DIR/$PROG.map" 2>/dev/null)
exec /usr/bin/python3 "$(dirname "$0")/linkmap.py" "$BUILD_DIR/$PROG.map" "$@"
