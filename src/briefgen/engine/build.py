"""Plan and run the build: briefs x audiences x languages -> files in build/.

Everything is validated before anything is rendered, so a content mistake
stops the build with located errors and touches no output. Each artifact is
written to a temporary file beside its target and moved into place only when
complete: a failed or interrupted build never leaves a half-written file where
a good one was.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.engine.incremental import BuildState, Fingerprints, Job
from briefgen.engine.lifecycle import die_with_parent, stop_workers, terminate_as_interrupt
from briefgen.errors import BriefgenError, display_path
from briefgen.files import atomic_output, remove_partial_files, write_failure
from briefgen.project.paths import Project

if TYPE_CHECKING:  # the loader and the renderers are imported when something is built
    from briefgen.edition.charts import ChartStyle
    from briefgen.project.load import LoadedProject
    from briefgen.project.model import Theme

__all__ = ["Job", "Project", "build", "plan", "run_build"]


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
    from briefgen.edition.charts import ChartRenderer
    from briefgen.edition.render import edition_html

    out = out or loaded.project.root / "build"
    theme = chart_theme(loaded.audiences[job.audience].theme)
    charts = ChartRenderer(chart_cache(out), theme)
    return edition_html(loaded, job.brief, job.audience, job.lang, charts)


def chart_theme(theme: Theme) -> ChartStyle:
    """An audience's theme as the charts' house style: its accent leads the palette."""
    from briefgen.edition.charts import ChartStyle

    default = ChartStyle()
    return ChartStyle(
        palette=(theme.accent, *default.palette[1:]),
        ink=theme.ink,
        muted=theme.muted,
        latin_font=theme.heading_font,
    )


def run_job(loaded: LoadedProject, job: Job, out: Path) -> list[str]:
    """Build one artifact; return warnings."""
    return run_edition(loaded, [job], out)[0].warnings


def run_edition(loaded: LoadedProject, jobs: list[Job], out: Path) -> list[Outcome]:
    """Build the formats of one edition from one rendering of its HTML (and charts)."""
    from briefgen.writers.docx.writer import write_docx
    from briefgen.writers.pdf import require_fonts, write_pdf

    started = time.perf_counter()
    first = jobs[0]
    template = str(loaded.project.audience_dir(first.audience))
    try:
        html = render_job_html(loaded, first, out)
        require_fonts(html, template)
    except BriefgenError as error:
        return [Outcome(job, failure="\n".join(error.lines())) for job in jobs]
    except OSError as error:  # the chart cache cannot be written (read-only, disk full)
        return [Outcome(job, failure=write_failure(job.target(out), error)) for job in jobs]
    assets = [loaded.project.templates, chart_cache(out)]
    shared = time.perf_counter() - started
    outcomes = []
    for job in jobs:
        started = time.perf_counter()
        try:
            with atomic_output(job.target(out)) as temporary:
                if job.format == "docx":
                    reference = loaded.project.docx_reference(job.audience)
                    warnings = write_docx(html, temporary, reference, template)
                else:
                    warnings = write_pdf(html, loaded.project.templates, assets, temporary)
            seconds = time.perf_counter() - started + shared / len(jobs)
            outcomes.append(Outcome(job, warnings=warnings, seconds=seconds))
        except BriefgenError as error:
            outcomes.append(Outcome(job, failure="\n".join(error.lines())))
        except OSError as error:  # a read-only output folder, a full disk
            outcomes.append(Outcome(job, failure=write_failure(job.target(out), error)))
    return outcomes


@dataclass
class Outcome:
    """What became of one job."""

    job: Job
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    failure: str | None = None


# -- parallel execution --------------------------------------------------------
# Workers load the project once each and keep WeasyPrint, matplotlib and the
# fonts loaded between editions; an edition (all formats of one brief, audience
# and language) is one task, so its HTML and charts are made once.

_worker_project: LoadedProject | None = None


def _worker_init(root: str, parent: int) -> None:
    # Ctrl-C is the parent's to handle: it stops the pool and removes partial files;
    # workers that also caught it would print a traceback each.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)
    from briefgen.project.load import load_project

    global _worker_project
    _worker_project = load_project(Project(Path(root)))


def _worker_run(jobs: list[Job], out: str) -> list[Outcome]:
    assert _worker_project is not None
    return run_edition(_worker_project, jobs, Path(out))


def editions(jobs: list[Job]) -> list[list[Job]]:
    """Jobs grouped by edition, in plan order."""
    grouped: dict[tuple[str, str, str], list[Job]] = {}
    for job in jobs:
        grouped.setdefault(job.edition, []).append(job)
    return list(grouped.values())


def build(
    loaded: LoadedProject,
    jobs: list[Job],
    out: Path,
    workers: int,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run `jobs` (in parallel worker processes when workers > 1)."""
    outcomes: list[Outcome] = []

    def collect(results: list[Outcome]) -> None:
        for outcome in results:
            outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome)

    groups = editions(jobs)
    if workers <= 1 or len(groups) <= 1:
        for group in groups:
            collect(run_edition(loaded, group, out))
    else:
        root = str(loaded.project.root)
        workers = min(workers, len(groups))
        pool = ProcessPoolExecutor(workers, initializer=_worker_init, initargs=(root, os.getpid()))
        try:
            futures = [pool.submit(_worker_run, group, str(out)) for group in groups]
            for future in as_completed(futures):
                collect(future.result())
        except BaseException:  # interrupted: no worker may go on writing artifacts
            stop_workers(pool)
            raise
        pool.shutdown()
    return outcomes


# -- the build command -----------------------------------------------------------


@dataclass
class Summary:
    built: list[Outcome]
    up_to_date: list[Job]
    failed: list[Outcome]
    seconds: float


class Progress:
    """One line per artifact; on a terminal, a counter in front of each."""

    def __init__(self, total: int, out: Path, stream=None):
        self.total = total
        self.done = 0
        self.out = out
        self.stream = stream or sys.stdout  # read now, not at import: tests capture it
        self.terminal = self.stream.isatty() and not os.environ.get("CI")

    def __call__(self, outcome: Outcome) -> None:
        self.done += 1
        target = outcome.job.target(self.out)
        counter = f"[{self.done:>{len(str(self.total))}}/{self.total}] " if self.terminal else ""
        for warning in outcome.warnings:
            print(f"{display_path(target)}: warning: {warning}", file=sys.stderr)
        if outcome.failure:
            print(f"{counter}FAILED {target}\n{outcome.failure}", file=sys.stderr)
        else:
            print(f"{counter}built  {target}  ({outcome.seconds:.1f} s)", file=self.stream)
        self.stream.flush()


def _load(project: Project) -> LoadedProject:
    """The project, read and checked: imported only when something must be built (the
    loader brings pydantic and the models, a third of a no-op build's time)."""
    from briefgen.project.load import load_project

    return load_project(project)


def run_build(
    project: Project,
    out: Path,
    *,
    briefs: list[str] | None = None,
    audiences: list[str] | None = None,
    languages: list[str] | None = None,
    formats: list[str] | None = None,
    workers: int = 1,
    force: bool = False,
    plan_only: bool = False,
    shard: tuple[int, int] | None = None,
) -> Summary | list[Job]:
    """Build what is out of date (everything with `force`); with `plan_only`, the jobs.
    With `shard` (K, N), only the K-th of N balanced slices of the plan (engine/shards.py).

    When nothing changed, this reads no content and imports no renderer: it
    compares digests of the input files with those recorded at the last build.
    """
    with terminate_as_interrupt():
        return _run_build(
            project,
            out,
            briefs=briefs,
            audiences=audiences,
            languages=languages,
            formats=formats,
            workers=workers,
            force=force,
            plan_only=plan_only,
            shard=shard,
        )


def _run_build(
    project: Project,
    out: Path,
    *,
    briefs: list[str] | None,
    audiences: list[str] | None,
    languages: list[str] | None,
    formats: list[str] | None,
    workers: int,
    force: bool,
    plan_only: bool,
    shard: tuple[int, int] | None,
) -> Summary | list[Job]:
    # Long because the order is the contract: sweep partial files, plan (cached),
    # shard, compare digests, load only when something is stale, build, then save
    # the state even when a job failed. Each step is a call; the order lives here.
    started = time.perf_counter()
    # what a build killed with -9 left half written (see files.remove_partial_files)
    remove_partial_files(out, stale_before=time.time())
    fingerprints = Fingerprints(project.root)
    state = BuildState(out)
    filters = {"briefs": briefs, "audiences": audiences, "languages": languages, "formats": formats}
    key = fingerprints.plan_key(filters)
    jobs = state.cached_plan(key)
    loaded = None
    if jobs is None:
        loaded = _load(project)
        jobs = [
            job
            for job in plan(loaded, briefs, audiences, languages)
            if not formats or job.format in formats
        ]
        state.remember_plan(key, jobs)
    if shard is not None:
        from briefgen.engine.shards import select

        jobs = select(project, jobs, shard)
    if plan_only:
        return jobs
    if not jobs:
        raise BriefgenError("nothing to build: the filters match no brief, audience and language")
    digests = {job: fingerprints.job_digest(job) for job in jobs}
    stale = [job for job in jobs if force or not state.up_to_date(job, digests[job])]
    current = [job for job in jobs if job not in stale]
    outcomes: list[Outcome] = []
    if stale:
        loaded = loaded or _load(project)
        progress = Progress(len(stale), out)
        try:
            outcomes = build(loaded, stale, out, workers, progress)
        finally:
            for outcome in outcomes:
                if not outcome.failure:
                    state.record(outcome.job, digests[outcome.job])
            _save_state(state)
    else:
        _save_state(state)
    return Summary(
        built=[o for o in outcomes if not o.failure],
        up_to_date=current,
        failed=[o for o in outcomes if o.failure],
        seconds=time.perf_counter() - started,
    )


def _save_state(state: BuildState) -> None:
    """Save the state; failing to is a warning (the artifacts' own errors come first)."""
    try:
        state.save()
    except OSError as error:
        print(
            f"{display_path(state.path)}: warning: cannot save the build state "
            f"({error.strerror or error}); the next build rebuilds everything",
            file=sys.stderr,
        )
