"""Templates: Jinja errors as located problems, and the DOCX writer's vocabulary.

Fast specifications: templates are written into a temporary folder and
rendered with the edition's own environment; nothing is built.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import lxml.html
import pytest

from briefgen.edition.environment import template_environment, template_problem
from briefgen.project.paths import Project
from briefgen.writers.docx import vocabulary


@pytest.fixture
def templates(tmp_path: Path) -> Project:
    (tmp_path / "templates" / "base").mkdir(parents=True)
    (tmp_path / "templates" / "audiences" / "a").mkdir(parents=True)
    return Project(tmp_path)


def problem_of(project: Project, name: str, source: str, **values):
    path = project.templates / "base" / name
    path.write_text(source, encoding="utf-8")
    env = template_environment(project, "a")
    with pytest.raises(jinja2.TemplateError) as caught:
        env.get_template(name).render(**values)
    return template_problem(caught.value), path


def test_a_syntax_error_is_at_its_line(templates):
    problem, path = problem_of(templates, "x.html.j2", "<p>\n{% if %}\n</p>\n")
    assert (problem.path, problem.line, problem.message) == (
        path,
        2,
        "template syntax error: Expected an expression, got 'end of statement block'",
    )


def test_an_undefined_name_is_at_its_line(templates):
    problem, path = problem_of(templates, "x.html.j2", "<p>\n\n{{ doc.nope }}</p>\n", doc={})
    assert (Path(problem.path), problem.line) == (path, 3)
    assert problem.message == "template error: 'dict object' has no attribute 'nope'"


def test_a_missing_include_is_at_the_including_line(templates):
    problem, path = problem_of(templates, "x.html.j2", "<p>\n{% include 'gone.html.j2' %}\n")
    assert (Path(problem.path), problem.line, problem.message) == (
        path,
        2,
        "template not found: gone.html.j2",
    )


def test_the_sandbox_refuses_python_internals(templates):
    problem, _ = problem_of(templates, "x.html.j2", "{{ t.__globals__ }}", t=problem_of)
    assert problem.message == (
        "template error: access to attribute '__globals__' of 'function' object is unsafe."
    )


@pytest.mark.parametrize(
    ("tag", "classes", "why"),
    [
        ("p", [], None),
        ("p", ["subtitle"], None),
        ("section", ["anything", "at-all"], None),
        ("table", ["data"], None),
        ("sup", ["note-ref"], None),
        ("div", ["callout"], "has a class the DOCX writer does not know (it knows: figure-item)"),
        ("p", ["subtitle", "edition"], "has a class the DOCX writer does not know"),
        ("table", [], "needs a class the DOCX writer knows"),
        ("header", [], "is not in the DOCX writer's vocabulary"),
    ],
)
def test_the_vocabulary(tag, classes, why):
    refusal = vocabulary.refusal(tag, classes)
    if why is None:
        assert refusal is None
    else:
        assert refusal is not None and refusal.startswith(why)


def test_unknown_elements_in_document_order():
    root = lxml.html.document_fromstring(
        '<html><body><main><div class="callout"><p>x</p></div><aside>y</aside></main></body></html>'
    )
    found = [(vocabulary.describe(e), why) for e, why in vocabulary.unknown_elements(root)]
    assert found == [
        (
            '<div class="callout">',
            "has a class the DOCX writer does not know (it knows: figure-item)",
        ),
        ("<aside>", "is not in the DOCX writer's vocabulary"),
    ]
