"""Simplified Chinese, derived from the Traditional (Hong Kong) text, never hand-kept.

OpenCC's Hong Kong -> Simplified conversion does the characters and the common
vocabulary; `content/zh-Hans.yaml` lists phrases where mainland usage differs
from the converted Hong Kong wording (and mainland quotation marks), applied
after conversion. A text may also carry its own `zh-Hans:` to override all of it.

The phrases are applied in one pass, longest first, so that a longer phrase
protects the words inside it: mapping a proper name to itself keeps a rule for
a shorter phrase (数码货币 -> 数字货币) from rewriting the name
(多种央行数码货币跨境网络, the official name of mBridge).
"""

from __future__ import annotations

import functools
import re

import opencc

_overrides: dict[str, str] = {}
_pattern: re.Pattern[str] | None = None


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("hk2s")


def configure(overrides: dict[str, str]) -> None:
    """Set the phrase overrides (converted phrase -> mainland phrase), longest first."""
    global _overrides, _pattern
    _overrides = dict(overrides)
    longest_first = sorted(_overrides, key=len, reverse=True)
    _pattern = re.compile("|".join(map(re.escape, longest_first))) if longest_first else None
    to_simplified.cache_clear()


@functools.lru_cache(maxsize=4096)
def to_simplified(traditional: str) -> str:
    text = _converter().convert(traditional)
    if _pattern is None:
        return text
    return _pattern.sub(lambda match: _overrides[match.group(0)], text)
