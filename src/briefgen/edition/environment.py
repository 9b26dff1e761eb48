"""The Jinja environment of an edition, and its errors as located problems.

Every place that compiles or renders a template (the build, `check`, the
audience block check) turns a Jinja error into a problem here, once, so a
designer reads the same message with the template's file and line wherever the
mistake is found.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from briefgen.edition.codecache import CodeCache
from briefgen.edition.sandbox import BoundedEnvironment, ProjectLoader
from briefgen.errors import ContentError, Problem
from briefgen.files import read_project_text
from briefgen.limits import MAX_TEMPLATE_BYTES
from briefgen.project.paths import Project
from briefgen.project.safeyaml import XML_UNSAFE, describe_character


def template_environment(project: Project, audience: str) -> SandboxedEnvironment:
    """Jinja with autoescape, undefined names as errors, and the audience's folder first.

    The sandbox matters because audience templates may come from outside the team;
    sandbox.py adds contained reads (no link out of templates/) and bounded work.
    """
    loader = ProjectLoader(
        [
            project.audience_dir(audience),
            project.templates / "base",
            # so that an audience's template can `{% extends "base/brief.html.j2" %}`
            project.templates,
        ],
        project.templates,
    )
    return BoundedEnvironment(
        code_cache=CodeCache(project.root / "build" / ".cache" / "templates"),
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def template_problem(error: BaseException, path: Path | None = None) -> Problem:
    """A Jinja error (syntax, a missing template, a runtime error) as one located problem.

    `path`: the template being compiled, for a syntax error that names no file.
    """
    if isinstance(error, jinja2.TemplateSyntaxError):
        where = Path(error.filename or path or error.name or "template")
        return Problem(
            where,
            error.lineno,
            1,
            f"template syntax error: {error.message}",
            "fix the Jinja tag on that line",
        )
    where, line = _template_location(error)
    if isinstance(error, jinja2.TemplateNotFound):
        return Problem(
            where,
            line,
            1,
            f"template not found: {error.name}",
            "include or extend only templates in templates/base or the audience's folder",
        )
    return Problem(
        where,
        line,
        1,
        f"template error: {error}",
        "use only the names documented in templates/base/brief.html.j2",
    )


def _template_location(error: BaseException) -> tuple[Path, int]:
    """The template file and line a Jinja runtime error was raised from."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith(".j2"):
            return Path(frame.filename), frame.lineno or 1
    return Path("templates"), 1


def template_problems(project: Project) -> Iterator[Problem]:
    """Every *.j2 under templates/, compiled as the build's Jinja environment would.

    The loader runs this for `check` and `build` alike: Jinja compiles an included
    template only when rendering reaches it, and a broken template that no edition
    includes today (a table template while every dataset is shown as a chart) is
    still broken, so both refuse it."""
    env = template_environment(project, "")
    for path in sorted(project.templates.rglob("*.j2")):
        try:
            source = read_project_text(path, project.templates, MAX_TEMPLATE_BYTES)
        except ContentError as error:  # outside templates/, not a file, not UTF-8
            yield from error.problems
            continue
        for match in XML_UNSAFE.finditer(source):
            line = source.count("\n", 0, match.start()) + 1
            col = match.start() - source.rfind("\n", 0, match.start())
            yield Problem(
                path,
                line,
                col,
                f"{describe_character(match.group())} is not allowed",
                "delete it: documents cannot hold control characters",
            )
        name = path.relative_to(project.templates).as_posix()
        try:
            env.compile(source, name=name, filename=str(path))
        except jinja2.TemplateSyntaxError as error:
            yield template_problem(error, path)
