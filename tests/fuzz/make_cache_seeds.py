#!/usr/bin/env python3
"""Writes the cache_reply seed corpus from the dns_message seeds (query and upstream reply pairs).

A dns_message seed is [ctl][qlen hi][qlen lo][query][reply]; a cache_reply seed is
[ctl][seconds][qlen hi][qlen lo][query][reply] (see cache_reply_fuzz.cpp). Each pair is written
with its reply taken as it is (ctl bit 0) and a few of the other switches: the second client's
name in the other case, rrset_ttls with serve_stale, keepttl; the clock moved by 0 or 320 s.
Run: python3 tests/fuzz/make_cache_seeds.py tests/fuzz/corpus/dns_message tests/fuzz/corpus/cache_reply
"""
import os
import sys

VARIANTS = {"raw": (0b00001, 0), "case": (0b00011, 20), "rrset_stale": (0b10101, 20), "keepttl": (0b01001, 20)}


def main(src, dst):
    os.makedirs(dst, exist_ok=True)
    for entry in sorted(os.listdir(src)):
        with open(os.path.join(src, entry), "rb") as f:
            data = f.read()
        if len(data) < 3:
            continue
        for label, (ctl, seconds) in VARIANTS.items():
            with open(os.path.join(dst, f"{entry}_{label}"), "wb") as f:
                f.write(bytes([ctl, seconds]) + data[1:])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
