"""Simplified Chinese, derived from the Traditional (Hong Kong) text, never hand-kept.

OpenCC's Hong Kong -> Simplified conversion does the characters and the common
vocabulary; `content/zh-Hans.yaml` lists phrases where mainland usage differs
from the converted Hong Kong wording (and mainland quotation marks), applied
after conversion. A text may also carry its own `zh-Hans:` to override all of it.

The phrase list belongs to one project: a `Simplifier` is made by the loader
from that project's file and travels with what it loads (the texts derive their
Simplified form at load; the message catalogue holds the same simplifier), so two
projects loaded in one process never see each other's phrases.

The phrases are applied in one pass, longest first, so that a longer phrase
protects the words inside it: mapping a proper name to itself keeps a rule for
a shorter phrase (数码货币 -> 数字货币) from rewriting the name
(多种央行数码货币跨境网络, the official name of mBridge).
"""

from __future__ import annotations

import functools
import re
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
        #: converted phrase -> mainland phrase
        self.phrases = dict(phrases or {})
        longest_first = sorted(self.phrases, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(map(re.escape, longest_first))) if longest_first else None
        )
        self._cache: dict[str, str] = {}

    def __call__(self, traditional: str) -> str:
        cached = self._cache.get(traditional)
        if cached is None:
            cached = to_simplified(traditional)
            if self._pattern is not None:
                cached = self._pattern.sub(lambda match: self.phrases[match.group(0)], cached)
            self._cache[traditional] = cached
        return cached
