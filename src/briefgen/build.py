"""Plan and run the build: briefs x audiences x languages -> files in build/.

Everything is validated before anything is rendered, so a content mistake
stops the build with located errors and touches no output. Each artifact is
written to a temporary file beside its target and moved into place only when
complete: a failed or interrupted build never leaves a half-written file where
a good one was.
"""

from __future__ import annotations

import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .charts import ChartRenderer
from .errors import BriefgenError, ContentError, Problem
from .files import atomic_output
from .i18n import Messages
from .load import load_audience, load_brief, load_sources
from .model import Audience, Brief, SourceRegister
from .render_html import BriefView, Project, render_html
from .write_pdf import require_fonts, write_pdf


@dataclass(frozen=True)
class Job:
    brief: str
    audience: str
    lang: str
    format: str

    def target(self, out: Path) -> Path:
        return out / self.audience / f"{self.brief}.{self.lang}.{self.format}"


@dataclass
class LoadedProject:
    """Everything a build reads, validated."""

    project: Project
    register: SourceRegister
    messages: Messages
    audiences: dict[str, Audience]
    briefs: dict[str, Brief]


def load_project(project: Project) -> LoadedProject:
    """Load and validate all inputs, collecting every problem before failing."""
    problems: list[Problem] = []

    def attempt(loader, *args):
        try:
            return loader(*args)
        except ContentError as error:
            problems.extend(error.problems)
            return None

    register = attempt(load_sources, project.content / "sources.yaml")
    messages = attempt(Messages, project.templates / "base" / "messages.yaml")
    audiences = {}
    for path in sorted((project.templates / "audiences").glob("*/audience.yaml")):
        audience = attempt(load_audience, path)
        if audience is not None:
            audiences[path.parent.name] = audience
    briefs = {}
    if register is not None:
        for path in brief_paths(project):
            brief = attempt(load_brief, path, register)
            if brief is not None:
                briefs[path.stem] = brief
    if problems:
        raise ContentError(problems)
    assert register is not None and messages is not None
    return LoadedProject(project, register, messages, audiences, briefs)


def brief_paths(project: Project) -> list[Path]:
    return sorted(p for p in project.content.glob("*.yaml") if p.name != "sources.yaml")


def plan(
    loaded: LoadedProject,
    briefs: list[str] | None = None,
    audiences: list[str] | None = None,
    languages: list[str] | None = None,
) -> list[Job]:
    """The jobs of the build matrix, narrowed by the filters given."""
    for wanted, known, what in (
        (briefs, loaded.briefs, "brief"),
        (audiences, loaded.audiences, "audience"),
    ):
        for name in wanted or []:
            if name not in known:
                raise BriefgenError(
                    f"unknown {what} '{name}' (known: {', '.join(sorted(known)) or 'none'})"
                )
    jobs = []
    for audience_name, audience in sorted(loaded.audiences.items()):
        if audiences and audience_name not in audiences:
            continue
        for brief_name in sorted(loaded.briefs):
            if briefs and brief_name not in briefs:
                continue
            if audience.briefs is not None and brief_name not in audience.briefs:
                continue
            for lang in audience.languages:
                if languages and lang not in languages:
                    continue
                for fmt in audience.formats:
                    jobs.append(Job(brief_name, audience_name, lang, fmt))
    return jobs


def chart_cache(out: Path) -> Path:
    """Where charts are drawn: shared by every job of a build, kept between builds."""
    return out / ".cache" / "charts"


def render_job_html(loaded: LoadedProject, job: Job, out: Path | None = None) -> str:
    """The intermediate HTML of one job (charts are drawn into the build's cache)."""
    out = out or loaded.project.root / "build"
    view = BriefView(
        loaded.briefs[job.brief],
        job.brief,
        loaded.audiences[job.audience],
        loaded.register,
        loaded.messages,
        job.lang,
        ChartRenderer(chart_cache(out)),
    )
    try:
        return render_html(loaded.project, job.audience, view)
    except jinja2.TemplateSyntaxError as error:
        path = Path(error.filename or error.name or "template")
        raise ContentError(
            [
                Problem(
                    path,
                    error.lineno,
                    1,
                    f"template syntax error: {error.message}",
                    "fix the Jinja tag on that line",
                )
            ]
        ) from None
    except Exception as error:  # a template's runtime error, e.g. iterating a number
        path, line = _template_location(error)
        raise ContentError(
            [
                Problem(
                    path,
                    line,
                    1,
                    f"template error: {error}",
                    "use only the names documented in templates/base/brief.html.j2",
                )
            ]
        ) from None


def _template_location(error: BaseException) -> tuple[Path, int]:
    """The template file and line a Jinja runtime error was raised from."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith(".j2"):
            return Path(frame.filename), frame.lineno or 1
    return Path("templates"), 1


def run_job(loaded: LoadedProject, job: Job, out: Path) -> list[str]:
    """Build one artifact; return warnings."""
    html = render_job_html(loaded, job, out)
    template = str(loaded.project.audience_dir(job.audience))
    require_fonts(html, template)
    assets = [loaded.project.templates, chart_cache(out)]
    with atomic_output(job.target(out)) as temporary:
        return write_pdf(html, loaded.project.templates, assets, temporary)


# -- parallel execution --------------------------------------------------------
# Workers load the project once each (cheap) and keep WeasyPrint imported
# between jobs.

_worker_project: LoadedProject | None = None


def _worker_init(root: str) -> None:
    global _worker_project
    _worker_project = load_project(Project(Path(root)))


def _worker_run(job: Job, out: str) -> tuple[Job, list[str], float, str | None]:
    started = time.perf_counter()
    assert _worker_project is not None
    try:
        warnings = run_job(_worker_project, job, Path(out))
        return job, warnings, time.perf_counter() - started, None
    except BriefgenError as error:
        return job, [], time.perf_counter() - started, "\n".join(error.lines())


def build(loaded: LoadedProject, jobs: list[Job], out: Path, workers: int) -> list[Path]:
    """Run `jobs`, printing each artifact as it lands; raise if any failed."""
    failures: list[str] = []
    built: list[Path] = []

    def report(job: Job, warnings: list[str], seconds: float, failure: str | None) -> None:
        target = job.target(out)
        for warning in warnings:
            print(f"{target}: warning: {warning}", file=sys.stderr)
        if failure:
            failures.append(failure)
            print(f"FAILED {target}\n{failure}", file=sys.stderr)
        else:
            built.append(target)
            print(f"built  {target}  ({seconds:.1f} s)")

    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            started = time.perf_counter()
            try:
                warnings = run_job(loaded, job, out)
                report(job, warnings, time.perf_counter() - started, None)
            except BriefgenError as error:
                report(job, [], time.perf_counter() - started, "\n".join(error.lines()))
    else:
        root = str(loaded.project.root)
        with ProcessPoolExecutor(workers, initializer=_worker_init, initargs=(root,)) as pool:
            futures = [pool.submit(_worker_run, job, str(out)) for job in jobs]
            for future in as_completed(futures):
                report(*future.result())
    if failures:
        raise BriefgenError(
            f"{len(failures)} of {len(jobs)} artifact(s) could not be built; "
            "earlier files at those paths were left as they were"
        )
    return built
