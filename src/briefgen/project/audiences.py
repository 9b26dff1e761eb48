"""Audiences: an audience folder's templates checked against the base, and its logo.

An audience is a folder, `templates/audiences/<name>/`, with `audience.yaml`
and optionally `brief.html.j2` (blocks that override the base template),
`audience.css`, `reference.docx` and a logo. The model checks `audience.yaml`
on its own and `rules.audience_problems` against the briefs; here a block the
base template does not have is found (Jinja would silently ignore it, and the
designer's change with it).
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

from briefgen.errors import Problem
from briefgen.project.model import Audience
from briefgen.project.paths import Project

OVERRIDABLE_TEMPLATES = ("brief.html.j2", "bilingual.html.j2")


def block_problems(project: Project, folder: Path) -> list[Problem]:
    """Blocks an audience template defines that its base template does not have."""
    from jinja2 import TemplateSyntaxError, nodes

    from briefgen.edition.environment import template_environment, template_problem

    env = template_environment(project, folder.name)
    base_blocks: set[str] = set()
    for name in OVERRIDABLE_TEMPLATES:
        base = project.templates / "base" / name
        if base.is_file():
            try:
                tree = env.parse(base.read_text("utf-8"))
            except TemplateSyntaxError:
                continue  # reported, with its line, when the template is rendered or checked
            base_blocks |= {block.name for block in tree.find_all(nodes.Block)}
    problems = []
    for name in OVERRIDABLE_TEMPLATES:
        path = folder / name
        if not path.is_file():
            continue
        try:
            tree = env.parse(path.read_text("utf-8"), name, str(path))
        except TemplateSyntaxError as error:
            problems.append(template_problem(error, path))
            continue
        for block in tree.find_all(nodes.Block):
            if block.name not in base_blocks:
                problems.append(
                    Problem(
                        path,
                        block.lineno,
                        1,
                        f"block '{block.name}' is not in the base template, so it would "
                        "change nothing",
                        f"override one of: {', '.join(sorted(base_blocks))}",
                    )
                )
    return problems


def logo_data_url(project: Project, name: str, audience: Audience) -> str | None:
    """The audience's logo inlined (so the PDF does not depend on the checkout path)."""
    if not audience.theme.logo:
        return None
    path = project.audience_dir(name) / audience.theme.logo
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"
