"""Simplified Chinese, derived from the Traditional (Hong Kong) text, never hand-kept.

OpenCC's Hong Kong -> Simplified conversion does the characters and the common
vocabulary; `content/zh-Hans.yaml` lists phrases where mainland usage differs
from the converted Hong Kong wording (and mainland quotation marks), applied
after conversion. A text may also carry its own `zh-Hans:` to override all of it.
"""

from __future__ import annotations

import functools

import opencc

_overrides: tuple[tuple[str, str], ...] = ()


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("hk2s")


def configure(overrides: dict[str, str]) -> None:
    """Set the phrase overrides (converted phrase -> mainland phrase), longest first."""
    global _overrides
    _overrides = tuple(sorted(overrides.items(), key=lambda item: -len(item[0])))
    to_simplified.cache_clear()


@functools.lru_cache(maxsize=4096)
def to_simplified(traditional: str) -> str:
    text = _converter().convert(traditional)
    for phrase, replacement in _overrides:
        text = text.replace(phrase, replacement)
    return text
