"""Simplified Chinese, derived from the Traditional (Hong Kong) text, never hand-kept.

OpenCC's Hong Kong -> Simplified conversion does the characters and the common
vocabulary; `content/zh-Hans.yaml` lists phrases where mainland usage differs
from the converted Hong Kong wording (and mainland quotation marks), applied
after conversion. A text may also carry its own `zh-Hans:` to override all of it.

The phrase list belongs to one project: a `Simplifier` is made by the loader
from that project's file and travels with what it loads (the texts derive their
Simplified form at load; the message catalogue holds the same simplifier), so two
projects loaded in one process never see each other's phrases.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import opencc


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("hk2s")


@functools.lru_cache(maxsize=4096)
def to_simplified(traditional: str) -> str:
    """OpenCC's conversion alone, without any project's phrase list."""
    return _converter().convert(traditional)


class Simplifier:
    """Hong Kong Traditional -> Simplified, then one project's phrase overrides."""

    def __init__(self, phrases: Mapping[str, str] | None = None):
        #: converted phrase -> mainland phrase, longest first so that it wins
        self.phrases = tuple(sorted((phrases or {}).items(), key=lambda item: -len(item[0])))
        self._cache: dict[str, str] = {}

    def __call__(self, traditional: str) -> str:
        cached = self._cache.get(traditional)
        if cached is None:
            cached = to_simplified(traditional)
            for phrase, replacement in self.phrases:
                cached = cached.replace(phrase, replacement)
            self._cache[traditional] = cached
        return cached
