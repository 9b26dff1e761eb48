"""Shared datasets: `content/data/<name>.yaml`, one table of figures any brief may use.

Why: a table that several briefs show was copied into each, and nothing checked
that the copies agreed. A shared dataset is written once; a brief that has no
dataset of that name in its own `data:` block uses it for `table:`, `chart:` and
`{=name.key}` as if it were its own (its own dataset of the same name wins).
The shared file is validated on its own, so its errors point at its own lines.
"""

from __future__ import annotations

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
    from briefgen.project import rules
    from briefgen.project.document import parse_yaml
    from briefgen.project.validation import model_problems

    found: dict[str, Any] = {}
    problems: list[Problem] = []
    for path in shared_paths(content):
        if not _NAME.fullmatch(path.stem):
            problems.append(
                Problem(
                    path,
                    1,
                    1,
                    f"'{path.stem}' is not a valid dataset name",
                    "name the file with lower-case letters, digits and '-'",
                )
            )
            continue
        document, found_problems = parse_yaml(path)
        problems.extend(found_problems)
        if document is None:
            continue
        dataset, invalid = model_problems(document, Dataset)
        invalid += rules.series_lengths(_as_data_block(document, path.stem))
        problems.extend(invalid)
        if dataset is not None and register is not None and dataset.source not in register.sources:
            known = ", ".join(sorted(register.sources))
            problems.append(
                document.problem(
                    ["source"], f"unknown source '{dataset.source}'", f"use one of: {known}"
                )
            )
            continue
        if dataset is not None and not invalid:
            found[path.stem] = plain(document.data)
    return found, problems


def _as_data_block(document: Document, name: str) -> Document:
    """The shared file as the `data:` block of a brief, for the brief's dataset rules;
    the file's own nodes keep their lines, so each problem points into this file."""
    block, wrapper = CommentedMap(), CommentedMap()
    block[name] = document.data
    block.lc.add_kv_line_col(name, [0, 0, 0, 0])
    wrapper["data"] = block
    wrapper.lc.add_kv_line_col("data", [0, 0, 0, 0])
    return Document(document.path, wrapper)


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
    chosen = {name: shared[name] for name in sorted(wanted) if name in shared}
    if not chosen:
        return
    if own is None:
        data["data"] = own = {}
    own.update(chosen)
