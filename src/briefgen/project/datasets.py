"""Shared datasets: `content/data/<name>.yaml`, one table of figures any brief may use.

Why: a table that several briefs show was copied into each, and nothing checked
that the copies agreed. A shared dataset is written once; a brief that has no
dataset of that name in its own `data:` block uses it for `table:`, `chart:` and
`{=name.key}` as if it were its own (its own dataset of the same name wins).
The shared file is validated on its own, so its errors point at its own lines.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from briefgen.errors import Problem
from briefgen.project.document import Document
from briefgen.project.model import FIGURE_REFERENCE, Dataset, SourceRegister

#: The folder of shared datasets, below content/.
FOLDER = "data"
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def shared_paths(content: Path) -> list[Path]:
    folder = content / FOLDER
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def shared_datasets(
    content: Path, register: SourceRegister | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The valid shared datasets as plain data, by name, and the problems of the others."""
    found: dict[str, Any] = {}
    problems: list[Problem] = []
    for path in shared_paths(content):
        # a dangling link has no target to stat: its own entry keys the cache, and
        # the read reports it where it stands
        stat = path.stat() if path.exists() else path.lstat()
        data, source, line, own = _read(path, stat.st_mtime_ns, stat.st_size)
        problems.extend(own)
        if data is None:
            continue
        if register is not None and source not in register.sources:
            known = ", ".join(sorted(register.sources))
            problems.append(
                Problem(path, line, 1, f"unknown source '{source}'", f"use one of: {known}")
            )
            continue
        found[path.stem] = data
    return found, problems


@functools.lru_cache(maxsize=64)
def _read(path: Path, mtime_ns: int, size: int) -> tuple[Any, str, int, tuple[Problem, ...]]:
    """One shared file, parsed and checked once per version: every brief asks for it.

    Returns its plain data (None if invalid), its source id and that id's line, and
    its problems.
    """
    from briefgen.project import rules
    from briefgen.project.document import parse_yaml
    from briefgen.project.validation import model_problems

    if not _NAME.fullmatch(path.stem):
        problem = Problem(
            path,
            1,
            1,
            f"'{path.stem}' is not a valid dataset name",
            "name the file with lower-case letters, digits and '-'",
        )
        return None, "", 1, (problem,)
    document, problems = parse_yaml(path)
    if document is None:
        return None, "", 1, tuple(problems)
    dataset, invalid = model_problems(document, Dataset)
    invalid += rules.series_lengths(_as_data_block(document, path.stem))
    problems += invalid
    if dataset is None or invalid:
        return None, "", 1, tuple(problems)
    line = document.locate(["source"])[0]
    return plain(document.data), dataset.source, line, tuple(problems)


def _as_data_block(document: Document, name: str) -> Document:
    """The shared file as the `data:` block of a brief, for the brief's dataset rules;
    the file's own nodes keep their lines, so each problem points into this file."""
    block, wrapper = CommentedMap(), CommentedMap()
    block[name] = document.data
    block.lc.add_kv_line_col(name, [0, 0, 0, 0])
    wrapper["data"] = block
    wrapper.lc.add_kv_line_col("data", [0, 0, 0, 0])
    return Document(document.path, wrapper, document.text)


def plain(node: Any) -> Any:
    """YAML nodes as plain dicts and lists: their line numbers belong to another file."""
    if isinstance(node, dict):
        return {str(key): plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(value) for value in node]
    return node


def used_names(node: Any) -> Iterator[str]:
    """Dataset names a brief's raw data refers to: `table:`, `chart:` and `{=name.…}`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"table", "chart"} and isinstance(value, str):
                yield value
            else:
                yield from used_names(value)
    elif isinstance(node, list):
        for value in node:
            yield from used_names(value)
    elif isinstance(node, str):
        yield from (match.group(1) for match in FIGURE_REFERENCE.finditer(node))


def add_shared(data: Any, content: Path) -> None:
    """Put the shared datasets a brief uses, and does not define, into its `data:` block.

    `data` is the brief's parsed YAML (changed in place). Invalid shared datasets
    are left out: the project's check reports them in their own files.
    """
    if not isinstance(data, dict) or not shared_paths(content):
        return
    own = data.get("data")
    if own is not None and not isinstance(own, dict):
        return  # the brief's own mistake, reported by the model
    wanted = {name for name in used_names(data) if own is None or name not in own}
    if not wanted:
        return
    shared, _ = shared_datasets(content)
    # copies: the parsed file is cached, and a brief's data is its own to change
    chosen = {name: copy.deepcopy(shared[name]) for name in sorted(wanted) if name in shared}
    if not chosen:
        return
    if own is None:
        data["data"] = own = {}
    own.update(chosen)
