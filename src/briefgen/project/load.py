"""The one loader: YAML content into the typed model, with errors that point at a line.

`collect_project` reads every file of a project, validates it against the model,
runs the rule book (`rules.py`) and returns what it could load with every
problem found; `load_project` is the same loader for the build, which refuses
to go on when any problem is an error. `briefgen check` and `briefgen build`
therefore report the same problems in the same words.

Parsing (`document.py`) and the translation of pydantic's errors
(`validation.py`) are re-exported here: this is the module to load content with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.edition.simplified import Simplifier
from briefgen.errors import ContentError, Problem, sorted_unique
from briefgen.project import rules
from briefgen.project.datasets import add_shared, shared_datasets
from briefgen.project.document import Document, parse_yaml, read_yaml
from briefgen.project.model import Audience, Brief, PhraseOverrides, SourceRegister
from briefgen.project.paths import MAX_AGE_DAYS, Project
from briefgen.project.scaffold import placeholder_problems
from briefgen.project.sourcefiles import missing_files
from briefgen.project.validation import Model, model_problems, validate

if TYPE_CHECKING:  # the catalogue reads YAML with this module: imported when loading
    from briefgen.edition.i18n import Messages

__all__ = [
    "Collected",
    "Document",
    "LoadedProject",
    "collect_project",
    "load_project",
    "model_problems",
    "parse_yaml",
    "read_yaml",
    "validate",
]


def load_sources(path: Path) -> SourceRegister:
    return validate(read_yaml(path), SourceRegister)


def load_audience(path: Path) -> Audience:
    return validate(read_yaml(path), Audience)


def load_brief(path: Path, register: SourceRegister, simplify: Simplifier | None = None) -> Brief:
    """One brief, checked by the model and the rule book (for tests, tools and the preview).

    `simplify`: the project's zh-Hans converter (`LoadedProject.simplify`).
    """
    document = read_yaml(path)
    add_shared(document.data, path.parent)  # content/data/<name>.yaml the brief uses
    brief, problems = model_problems(document, Brief, simplify)
    problems.extend(rules.brief_problems(document, register))
    if problems or brief is None:
        raise ContentError(problems)
    return brief


# -- the project ---------------------------------------------------------------------

#: Files in content/ that are not briefs.
PROJECT_FILES = frozenset({"sources.yaml", "zh-Hans.yaml"})


def brief_paths(project: Project) -> list[Path]:
    return sorted(p for p in project.content.glob("*.yaml") if p.name not in PROJECT_FILES)


@dataclass
class LoadedProject:
    """Everything a build reads, validated, with the project's own zh-Hans phrases."""

    project: Project
    register: SourceRegister
    messages: Messages
    audiences: dict[str, Audience]
    briefs: dict[str, Brief]
    simplify: Simplifier = field(default_factory=Simplifier)


@dataclass
class Collected:
    """What the loader found: the project (None when too little is valid) and the problems."""

    loaded: LoadedProject | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]


def load_project(project: Project) -> LoadedProject:
    """Load and validate all inputs; any error stops here, with every problem listed."""
    collected = collect_project(project)
    if collected.errors or collected.loaded is None:
        raise ContentError(collected.errors)
    return collected.loaded


def collect_project(
    project: Project, today: dt.date | None = None, max_age_days: int = MAX_AGE_DAYS
) -> Collected:
    """Read every file, collecting every problem: the schema, then the rule book.

    Goes on after a file fails, so one run lists everything to fix; warnings
    (old facts, uncited sources, an audience folder without settings) are collected
    too. What is valid is returned as a LoadedProject as long as the register and
    the message catalogue are.
    """
    problems: list[Problem] = []
    simplify = Simplifier(_phrases(project, problems))

    def load(path: Path, model: type[Model]) -> tuple[Document | None, Model | None]:
        document, found = parse_yaml(path)
        problems.extend(found)
        if document is None:
            return None, None
        if model is Brief:  # with content/data/<name>.yaml the brief uses
            add_shared(document.data, project.content)
        value, found = model_problems(document, model, simplify)
        problems.extend(found)
        return document, value

    register_doc, register = load(project.content / "sources.yaml", SourceRegister)
    messages = _messages(project, simplify, problems)
    problems.extend(shared_datasets(project.content, register)[1])
    problems.extend(missing_files(project, register_doc, register))

    briefs: dict[str, Brief] = {}
    brief_docs: dict[str, Document | None] = {}
    for path in brief_paths(project):
        document, brief = load(path, Brief)
        brief_docs[path.stem] = document
        if document is None:
            continue
        found = rules.kept_brief_problems(path.stem, document, register)
        problems.extend(found)
        problems.extend(rules.staleness(document, today or dt.date.today(), max_age_days))
        if brief is not None and not found:
            briefs[path.stem] = brief
    if register_doc is not None and register is not None and None not in brief_docs.values():
        documents = [doc for doc in brief_docs.values() if doc is not None]
        problems.extend(rules.uncited_sources(register_doc, register, documents))
    if register is not None:
        problems.extend(rules.evidence(project, register, briefs))

    audiences = _audiences(project, brief_docs, load, problems)
    from briefgen.edition.environment import template_problems

    problems.extend(template_problems(project))
    loaded = None
    if register is not None and messages is not None:
        loaded = LoadedProject(project, register, messages, audiences, briefs, simplify)
    return Collected(loaded, sorted_unique(problems))


def _phrases(project: Project, problems: list[Problem]) -> dict[str, str]:
    """content/zh-Hans.yaml, if the project has one."""
    path = project.content / "zh-Hans.yaml"
    if not path.is_file():
        return {}
    document, found = parse_yaml(path)
    problems.extend(found)
    if document is None:
        return {}
    overrides, found = model_problems(document, PhraseOverrides)
    problems.extend(found)
    return dict(overrides.phrases) if overrides else {}


def _messages(project: Project, simplify: Simplifier, problems: list[Problem]) -> Messages | None:
    from briefgen.edition.i18n import Messages

    try:
        return Messages(project.templates / "base" / "messages.yaml", simplify=simplify)
    except ContentError as error:
        problems.extend(error.problems)
        return None


def _audiences(
    project: Project,
    brief_docs: dict[str, Document | None],
    load: Callable[[Path, type[Audience]], tuple[Document | None, Audience | None]],
    problems: list[Problem],
) -> dict[str, Audience]:
    """Every audience folder's settings, checked against the briefs and the base templates."""
    from briefgen.project.audiences import block_problems, reference_problems

    tags = {
        name: rules.section_tags(document) if document is not None else set()
        for name, document in brief_docs.items()
    }
    audiences: dict[str, Audience] = {}
    for folder in sorted(p for p in (project.templates / "audiences").glob("*") if p.is_dir()):
        path = folder / "audience.yaml"
        if not path.is_file():
            problems.append(
                Problem(
                    path,
                    1,
                    1,
                    f"the folder {folder.name}/ has no audience.yaml, so it is never built",
                    "add audience.yaml (edition, languages, formats) or remove the folder",
                    "warning",
                )
            )
            continue
        document, audience = load(path, Audience)
        if document is None or audience is None:
            continue
        problems.extend(rules.audience_problems(document, audience, tags))
        problems.extend(placeholder_problems(document, folder.name))
        problems.extend(block_problems(project, folder))
        if "docx" in audience.formats:
            problems.extend(reference_problems(project, folder.name))
        audiences[folder.name] = audience
    return audiences
