"""Skipping, importorskip-style, a test that needs a plugin another folder provides until the
binary under test is built with it (as `coredns -plugins` lists)."""
import functools

import pytest

from .process import compiled_plugins


@functools.lru_cache(maxsize=None)
def _compiled():
    return frozenset(compiled_plugins())


def has_plugin(name):
    return name in _compiled()


def require_plugins(*names):
    """Skips the calling test ("log not compiled in") unless every plugin named is built in."""
    for name in names:
        if not has_plugin(name):
            pytest.skip(f"{name} not compiled in")
