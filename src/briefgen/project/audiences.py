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
import os
from pathlib import Path

from briefgen.errors import ContentError, Problem
from briefgen.files import UnsafeFile, read_image, read_project_text
from briefgen.limits import MAX_TEMPLATE_BYTES
from briefgen.project.model import Audience
from briefgen.project.paths import Project

OVERRIDABLE_TEMPLATES = ("brief.html.j2", "bilingual.html.j2")


def block_problems(project: Project, folder: Path) -> list[Problem]:
    """Blocks an audience template defines that its base template does not have."""
    from jinja2 import TemplateError, TemplateSyntaxError, nodes

    from briefgen.edition.environment import template_environment, template_problem

    env = template_environment(project, folder.name)
    base_blocks: set[str] = set()
    for name in OVERRIDABLE_TEMPLATES:
        if (project.templates / "base" / name).is_file():
            try:  # compiled (and so kept in the code cache) rather than parsed each time
                base_blocks |= set(env.get_template(f"base/{name}").blocks)
            except (TemplateError, ContentError):
                continue  # reported, with its line, when the template is rendered or checked
    problems = []
    for name in OVERRIDABLE_TEMPLATES:
        path = folder / name
        if not os.path.lexists(path):
            continue
        try:
            source = read_project_text(path, project.templates, MAX_TEMPLATE_BYTES)
        except ContentError as error:  # outside templates/, not a file, not UTF-8
            problems.extend(error.problems)
            continue
        try:
            tree = env.parse(source, name, str(path))
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
    folder = project.audience_dir(name)
    path = folder / audience.theme.logo
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(read_image(path, folder)).decode()}"


def logo_problem(folder: Path, logo: str) -> tuple[str, str] | None:
    """Why the audience's logo cannot be used (message, hint), or None.

    It must be an image inside the audience's folder, symbolic links resolved
    (`/etc/passwd`, `../x` or a link out are refused), of bounded pixels.
    """
    try:
        read_image(folder / logo, folder)
    except UnsafeFile as error:
        where = f"is not in {folder.name}/"
        reason = where if error.reason == "file not found" else f": {error.reason}"
        return f"logo file '{logo}' {reason}".replace(" :", ":"), (
            "put the image in the audience's folder or remove `logo:`"
        )
    return None


def reference_problems(project: Project, name: str) -> list[Problem]:
    """What the DOCX writer would refuse in the audience's reference document."""
    from briefgen.writers.docx.reference import sanitised_reference

    reference = project.docx_reference(name)
    if not os.path.lexists(reference):
        return []  # the writer says how to make one
    try:
        sanitised_reference(reference)
    except ContentError as error:
        return error.problems
    return []
