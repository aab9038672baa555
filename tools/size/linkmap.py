#!/usr/bin/python3
"""What each input of a static link contributes to the binary, from the linker's map file
(-Wl,-Map=FILE): bytes of code (.text), read-only data (.rodata, .eh_frame, ...) and data,
per archive (libc.a, libstdc++.a, libuv.a, ...) or, for the project's own code, per library.

    tools/size/linkmap.py MAP [--top N] [--objects ARCHIVE]

--objects ARCHIVE lists the largest members of one archive instead (e.g. libstdc++.a), to see
which parts of it were pulled in. tools/size/size-map.sh makes the map from a build.
"""
import argparse
import collections
import re
import sys

SECTION = re.compile(r"^ (\.[^\s]+)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(.+))?$")
CONT = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(.+)$")


def kind(section):
    if section.startswith(".text"):
        return "code"
    if section.startswith((".rodata", ".eh_frame", ".gcc_except_table", ".tbss", ".tdata")):
        return "rodata"
    if section.startswith((".data", ".init_array", ".fini_array", ".data.rel.ro")):
        return "data"
    return None  # .bss takes no file space; debug and notes are stripped


def entries(path):
    """(section, size, input) for every input section the link kept."""
    pending = None
    in_memory_map = False
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("Linker script and memory map"):
                in_memory_map = True
                continue
            if not in_memory_map or line.startswith("/DISCARD/"):
                continue
            m = SECTION.match(line.rstrip("\n"))
            if m:
                if m.group(2) is None:
                    pending = m.group(1)  # the address, size and input are on the next line
                    continue
                yield m.group(1), int(m.group(3), 16), m.group(4).strip()
                pending = None
                continue
            if pending:
                c = CONT.match(line.rstrip("\n"))
                if c:
                    yield pending, int(c.group(2), 16), c.group(3).strip()
                pending = None


def owner(inp):
    """libfoo.a for archive members, the project library for its objects, else the file."""
    m = re.match(r"(.*?)\((.*)\)$", inp)
    path, member = (m.group(1), m.group(2)) if m else (inp, None)
    name = path.rsplit("/", 1)[-1]
    return name, member


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("map")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--objects", metavar="ARCHIVE")
    a = ap.parse_args()
    totals = collections.defaultdict(collections.Counter)
    for section, size, inp in entries(a.map):
        k = kind(section)
        if not k or size == 0:
            continue
        name, member = owner(inp)
        key = name if not a.objects else (member if name == a.objects else None)
        if key:
            totals[key][k] += size
    rows = sorted(totals.items(), key=lambda kv: -sum(kv[1].values()))
    all_bytes = sum(sum(c.values()) for c in totals.values())
    print(f"{'input':40s} {'code':>9s} {'rodata':>9s} {'data':>8s} {'total':>9s}  share")
    for key, c in rows[:a.top]:
        t = sum(c.values())
        print(f"{key[:40]:40s} {c['code']:9d} {c['rodata']:9d} {c['data']:8d} {t:9d}  {100 * t / all_bytes:4.1f} %")
    print(f"{'all':40s} {'':9s} {'':9s} {'':8s} {all_bytes:9d}")


if __name__ == "__main__":
    sys.exit(main())
