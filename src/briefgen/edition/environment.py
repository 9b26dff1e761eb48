"""The Jinja environment of an edition, and its errors as located problems.

Every place that compiles or renders a template (the build, `check`, the
audience block check) turns a Jinja error into a problem here, once, so a
designer reads the same message with the template's file and line wherever the
mistake is found.
"""

from __future__ import annotations

import traceback
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from briefgen.edition.sandbox import BoundedEnvironment, ProjectLoader
from briefgen.errors import Problem
from briefgen.project.paths import Project


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
