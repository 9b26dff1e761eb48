"""The Jinja environment templates run in: sandboxed, contained and bounded.

Audience templates may come from outside the team. Jinja's sandbox stops
attribute access to Python internals; this adds what it does not:

- a loader that reads every template, include and stylesheet through
  `read_project_file` (no symbolic link out of templates/, no FIFO, no huge file);
- bounds on what one expression may make (`'x' * 10**9`, `'x' ~ 'x'` doubled in a
  loop, `'%999999999d' % 1`, `'x'|center(10**9)`), checked before it is made;
- a wall-clock limit on rendering and a limit on the HTML produced, so a nested
  loop or recursion stops with a located error instead of hanging the build.
"""

from __future__ import annotations

import math
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
from jinja2.compiler import CodeGenerator, Frame
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from briefgen.edition.codecache import CodeCache
from briefgen.files import read_project_text
from briefgen.limits import (
    MAX_HTML_CHARACTERS,
    MAX_RENDER_SECONDS,
    MAX_TEMPLATE_BYTES,
    MAX_TEMPLATE_VALUE,
)

#: How a time-limit error begins (check stops rendering an audience that hit it).
TIME_LIMIT = "rendering took more than"
#: A width or precision in a format string that would make a huge text (`%999999999d`).
_WIDE = re.compile(r"\d{7,}|\*")


class TemplateLimit(Exception):
    """A template exceeded a limit of docs/limits.md (raised inside the template, and
    reported at the template's line like any error a template raises)."""


class ProjectLoader(jinja2.BaseLoader):
    """Templates from `searchpath` folders, each read contained in `root` (templates/)."""

    def __init__(self, searchpath: list[Path], root: Path):
        self.searchpath = [str(folder) for folder in searchpath]
        self.root = root

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses `..`
        for folder in self.searchpath:
            candidate = os.path.join(folder, *pieces)
            if os.path.lexists(candidate):
                break
        else:
            raise jinja2.TemplateNotFound(template)
        source = read_project_text(Path(candidate), self.root, MAX_TEMPLATE_BYTES)
        mtime = os.path.getmtime(candidate)
        return (
            source,
            candidate,
            lambda: os.path.lexists(candidate) and (os.path.getmtime(candidate) == mtime),
        )


def _bounded(value: Any) -> Any:
    if isinstance(value, str | list | tuple) and len(value) > MAX_TEMPLATE_VALUE:
        raise TemplateLimit(
            f"an expression makes {len(value):,} characters or items, "
            f"more than the limit of {MAX_TEMPLATE_VALUE:,}"
        )
    return value


def _refuse_size(size: float) -> None:
    if size > MAX_TEMPLATE_VALUE:
        raise TemplateLimit(
            f"an expression would make {size:,.0f} characters or items, "
            f"more than the limit of {MAX_TEMPLATE_VALUE:,}"
        )


def _refuse_wide(text: str) -> None:
    if _WIDE.search(text):
        raise TemplateLimit(
            f"a format width of a million or more (or `*`) makes more than the limit of "
            f"{MAX_TEMPLATE_VALUE:,} characters"
        )


class BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with every `~` concatenation checked for size."""

    def visit_Concat(self, node: jinja2.nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedEnvironment(SandboxedEnvironment):
    """The sandbox, with operators, calls and filters that could make huge values bounded."""

    code_generator_class = BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, code_cache: CodeCache | None = None, **options: Any):
        super().__init__(**options)
        self.code_cache = code_cache
        self.globals.pop("lipsum", None)  # lipsum(n=10**9)
        self.bounded = _bounded
        for name, check in _FILTER_CHECKS.items():
            self.filters[name] = _checked(self.filters[name], check)

    def compile(  # type: ignore[override]
        self,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        """Jinja's compile, with the code kept in the project's sealed code cache."""
        cache = self.code_cache
        if cache is None or raw or not isinstance(source, str):
            return super().compile(source, name, filename, raw, defer_init)
        code = cache.get(source, name, filename, defer_init)
        if code is None:
            code = super().compile(source, name, filename, raw, defer_init)
            cache.put(source, name, filename, defer_init, code)
        return code

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any):
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(count, int):
                    _refuse_size(len(sequence) * count)
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            digits = abs(left).bit_length() * max(right, 0) * math.log10(2)
            _refuse_size(digits)
        elif operator == "%" and isinstance(left, str):
            _refuse_wide(left)
        return _bounded(super().call_binop(context, operator, left, right))

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, str) and attribute in {"format", "format_map"}:
            _refuse_wide(obj)
        return super().getattr(obj, attribute)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if name in {"center", "ljust", "rjust", "zfill"} and args:
                _refuse_size(args[0] if isinstance(args[0], int) else 0)
            elif name == "expandtabs":
                _refuse_size(len(owner) * (args[0] if args and isinstance(args[0], int) else 8))
            elif name == "join" and args:
                _refuse_size(len(owner) * _length(args[0]))
            elif name == "replace" and len(args) >= 2:
                _refuse_size(len(owner) + owner.count(str(args[0])) * len(str(args[1])))
        return _bounded(super().call(__context, __obj, *args, **kwargs))


def _length(value: Any) -> int:
    try:
        return len(value)
    except TypeError:
        return 0


def _check_width(value: Any, width: Any = 80, *args: Any, **kwargs: Any) -> None:
    _refuse_size(width if isinstance(width, int) else 0)


def _check_format(value: Any, *args: Any, **kwargs: Any) -> None:
    _refuse_wide(str(value))


def _check_join(value: Any, d: Any = "", *args: Any, **kwargs: Any) -> None:
    _refuse_size(len(str(d)) * _length(value))


def _check_replace(value: Any, old: Any = "", new: Any = "", *args: Any, **kwargs: Any) -> None:
    text = str(value)
    _refuse_size(len(text) + text.count(str(old)) * len(str(new)))


_FILTER_CHECKS: dict[str, Callable[..., None]] = {
    "center": _check_width,
    "indent": _check_width,
    "format": _check_format,
    "join": _check_join,
    "replace": _check_replace,
}


def _checked(function: Callable[..., Any], check: Callable[..., None]) -> Callable[..., Any]:
    """`function` (a Jinja filter) with `check` run on its arguments first."""
    pass_arg = getattr(function, "jinja_pass_arg", None)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check(*(args[1:] if pass_arg else args), **kwargs)
        return _bounded(function(*args, **kwargs))

    if pass_arg:
        wrapper.jinja_pass_arg = pass_arg  # type: ignore[attr-defined]
    return wrapper


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` (with SIGALRM, in the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise TemplateLimit(f"{TIME_LIMIT} {seconds:g} s (a loop too large, or recursion)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_bounded(template: jinja2.Template, **context: Any) -> str:
    """`template.render(**context)` within the time and size limits of docs/limits.md."""
    started = time.monotonic()
    parts: list[str] = []
    total = 0
    with _deadline(MAX_RENDER_SECONDS):
        for chunk in template.generate(**context):
            total += len(chunk)
            if total > MAX_HTML_CHARACTERS:
                raise TemplateLimit(
                    f"the template makes more than {MAX_HTML_CHARACTERS:,} characters of HTML"
                )
            if time.monotonic() - started > MAX_RENDER_SECONDS:
                raise TemplateLimit(f"{TIME_LIMIT} {MAX_RENDER_SECONDS} s")
            parts.append(chunk)
    return "".join(parts)
