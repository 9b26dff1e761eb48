"""`briefgen preview`: build editions, serve them on localhost, rebuild what an edit touches.

Why one warm process: a cold `briefgen build` of one edition spends most of its
time importing WeasyPrint and matplotlib and loading the project. Here they are
loaded once; an edit re-reads only what changed (one brief, or the whole project
when a shared file changed) and re-renders only the editions that depend on it.
The page reloads itself through server-sent events. An error is printed and
shown in the page as the same located one-liner, and the last good PDF stays.
"""

from __future__ import annotations

import html
import json
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from briefgen.engine.build import chart_cache, plan, render_job_html
from briefgen.engine.incremental import Job
from briefgen.errors import BriefgenError
from briefgen.files import atomic_output
from briefgen.project.load import LoadedProject, load_project
from briefgen.project.paths import Project

#: The editions previewed when none are named: the general English PDF of every brief.
DEFAULT_AUDIENCE = "general"
DEFAULT_LANGUAGE = "en"


@dataclass
class Edition:
    """One previewed edition: its last good PDF and what became of the latest attempt."""

    job: Job
    version: int = 0  #: how many good builds; 0 while none has succeeded
    status: str = "waiting"  #: waiting, building, ok, error
    #: The PDF shown is the quick first layout of an edit; the made-up one follows.
    draft: bool = False
    errors: list[str] = field(default_factory=list)
    text: str = ""  #: the plain text of the last good build, for the page's text view
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.job.audience}/{self.job.brief}.{self.job.lang}.pdf"


class Previewer:
    """The warm project and the editions it keeps up to date."""

    def __init__(
        self,
        project: Project,
        out: Path,
        briefs: list[str] | None = None,
        audiences: list[str] | None = None,
        languages: list[str] | None = None,
        log=None,
    ):
        self.project = project
        self.out = out
        self.filters = (briefs, audiences, languages)
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.lock = threading.Condition()
        self.generation = 0  #: bumped whenever the page should reload
        self.loaded: LoadedProject | None = None
        self.editions: dict[tuple[str, str, str], Edition] = {}
        self.project_errors: list[str] = []  #: errors that stop every edition
        self.stale = True  #: the last full load failed: the next edit reloads everything

    # -- loading -------------------------------------------------------------

    def load(self) -> bool:
        """(Re)load the whole project and plan the editions; False on content errors."""
        try:
            loaded = load_project(self.project)
            jobs = self._plan(loaded)
        except BriefgenError as error:
            self._failed(error, list(self.editions.values()))
            self.stale = True
            return False
        self.loaded, self.stale, self.project_errors = loaded, False, []
        with self.lock:
            known = self.editions
            self.editions = {job.edition: known.get(job.edition) or Edition(job) for job in jobs}
        return True

    def _plan(self, loaded: LoadedProject) -> list[Job]:
        briefs, audiences, languages = self.filters
        if audiences is None and DEFAULT_AUDIENCE in loaded.audiences:
            audiences = [DEFAULT_AUDIENCE]
        languages = languages or [DEFAULT_LANGUAGE]
        jobs: dict[tuple[str, str, str], Job] = {}
        for job in plan(loaded, briefs, audiences, languages):
            jobs.setdefault(job.edition, Job(job.brief, job.audience, job.lang, "pdf"))
        if not jobs:
            raise BriefgenError("nothing to preview: the filters match no edition")
        return list(jobs.values())

    def _failed(self, error: BriefgenError, editions: list[Edition]) -> None:
        """Show an error on the editions it stops (on the page's top if there are none)."""
        lines = error.lines()
        for line in lines:
            self.log(line)
        with self.lock:
            if not editions:
                self.project_errors = lines
            for edition in editions:
                edition.status, edition.errors = "error", lines
        self._changed()

    def _reload_brief(self, name: str, editions: list[Edition]) -> bool:
        """Re-read one brief (the common edit) instead of the whole project."""
        from briefgen.project.load import load_brief

        assert self.loaded is not None
        try:
            self.loaded.briefs[name] = load_brief(
                self.project.content / f"{name}.yaml", self.loaded.register, self.loaded.simplify
            )
        except BriefgenError as error:
            self._failed(error, [e for e in editions if e.job.brief == name])
            return False
        return True

    # -- what an edit affects ------------------------------------------------

    def affected(self, paths: Iterable[Path]) -> tuple[bool, set[tuple[str, str, str]]]:
        """(whether the whole project must be re-read, the editions to rebuild)."""
        full = self.loaded is None or self.stale
        wanted: set[tuple[str, str, str]] = set()
        everything = set(self.editions)
        for path in paths:
            try:
                parts = path.resolve().relative_to(self.project.root.resolve()).parts
            except ValueError:
                continue
            if parts[:1] == ("content",):
                if path.suffix != ".yaml":  # an editor's or sed's temporary file
                    continue
                name = path.stem
                if len(parts) == 2 and self.loaded and name in self.loaded.briefs:
                    wanted |= {key for key in everything if key[0] == name}
                else:  # the register, the phrase list, a shared dataset, a new brief
                    full = True
                    wanted |= everything
            elif parts[:2] == ("templates", "audiences") and len(parts) > 3:
                full = full or path.suffix == ".yaml"
                wanted |= {key for key in everything if key[1] == parts[2]}
            elif parts[:2] == ("templates", "base"):
                full = full or path.suffix == ".yaml"
                wanted |= everything
        # Editions that failed last time are tried again: the edit may have fixed them.
        wanted |= {key for key, edition in self.editions.items() if edition.status == "error"}
        return full, wanted

    def apply(self, paths: Iterable[Path]) -> None:
        """React to changed files: re-read what changed, rebuild what depends on it."""
        paths = list(paths)
        full, wanted = self.affected(paths)
        if not wanted and not full:
            return
        started, cpu = time.perf_counter(), time.thread_time()
        if full:
            if not self.load():
                return
            wanted = (wanted & set(self.editions)) or set(self.editions)
        editions = [self.editions[key] for key in sorted(wanted) if key in self.editions]
        if not full:
            briefs = {
                path.stem
                for path in paths
                if path.parent.name == "content" and path.suffix == ".yaml"
            }
            # A brief that failed to load last time is read again with the edited one.
            briefs |= {edition.job.brief for edition in editions if edition.status == "error"}
            failed = {name for name in sorted(briefs) if not self._reload_brief(name, editions)}
            editions = [edition for edition in editions if edition.job.brief not in failed]
        reading = (time.perf_counter() - started, time.thread_time() - cpu)
        self.build(editions, reading, draft_first=True)

    # -- building ------------------------------------------------------------

    def build(
        self,
        editions: list[Edition] | None = None,
        reading: tuple[float, float] = (0.0, 0.0),
        draft_first: bool = False,
    ) -> None:
        """Render each edition's PDF; a failure keeps the previous PDF in place.

        `reading`: the wall and CPU seconds spent re-reading the edited files, which
        the timings include. With `draft_first` (after an edit), each edition is
        first served as its first layout, every edition's before any make-up, then
        again once the page make-up (a tighter setting for a lone last page, figures
        fitted into holes, loose Chinese lines rebroken: several layouts) is done, so
        an edit shows in one layout's time; a make-up that fails keeps the first.
        """
        from briefgen.writers.pdf import require_fonts

        assert self.loaded is not None
        loaded = self.loaded
        drafted: list[tuple[Edition, str, dict[str, float], float]] = []
        for edition in self.editions.values() if editions is None else editions:
            with self.lock:
                edition.status = "building"
            self._changed()
            timings: dict[str, float] = {"read": reading[0]}
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                page = render_job_html(loaded, edition.job, self.out)
                require_fonts(page, str(self.project.audience_dir(edition.job.audience)))
                timings["html"] = time.perf_counter() - started
                warnings = self._write(edition, page, make_up=not draft_first)
                timings["pdf"] = time.perf_counter() - started - timings["html"]
            except BriefgenError as error:
                with self.lock:
                    edition.status, edition.errors = "error", error.lines()
                for line in edition.errors:
                    self.log(line)
                self._changed()
                continue
            timings["total"] = time.perf_counter() - started
            # CPU time of this thread: what the build costs, however busy the machine is
            timings["cpu"] = time.thread_time() - cpu + reading[1]
            for warning in warnings:
                self.log(f"{edition.name}: warning: {warning}")
            self._publish(edition, page, timings, draft=draft_first)
            if draft_first:
                drafted.append((edition, page, timings, started))
        # Every edition's first layout is served before any page make-up starts.
        for edition, page, timings, started in drafted:
            try:
                self._write(edition, page, make_up=True)
            except BriefgenError as error:  # the first layout stays served
                for line in error.lines():
                    self.log(f"{edition.name}: page make-up failed: {line}")
                continue
            timings["final"] = time.perf_counter() - started
            self._publish(edition, page, timings, draft=False)

    def _write(self, edition: Edition, page: str, make_up: bool) -> list[str]:
        from briefgen.writers.pdf import write_pdf

        assert self.loaded is not None
        templates = self.loaded.project.templates
        assets = [templates, chart_cache(self.out)]
        with atomic_output(edition.job.target(self.out)) as temporary:
            return write_pdf(page, templates, assets, temporary, make_up=make_up)

    def _publish(self, edition: Edition, page: str, timings: dict, draft: bool) -> None:
        """Serve the PDF just written: a new version, unless it is the made-up layout of
        the draft already served (same content: the page swaps the PDF in place)."""
        with self.lock:
            if not (edition.draft and not draft and edition.status == "ok"):
                edition.version += 1
            edition.status, edition.errors, edition.draft = "ok", [], draft
            edition.text = plain_text(page)
            edition.timings = {key: round(value, 3) for key, value in timings.items()}
        stage = "draft" if draft else "built "
        self.log(f"{stage} {edition.name}  ({timings.get('final', timings['total']):.2f} s)")
        self._changed()

    def _changed(self) -> None:
        with self.lock:
            self.generation += 1
            self.lock.notify_all()

    def state(self, text: bool = False) -> dict:
        """What the page shows (its text views only with `text`), as JSON for scripts."""
        with self.lock:
            return {
                "generation": self.generation,
                "errors": self.project_errors,
                "editions": [
                    {
                        "name": edition.name,
                        "status": edition.status,
                        "version": edition.version,
                        "draft": edition.draft,
                        "errors": edition.errors,
                        "timings": edition.timings,
                        "pdf": pdf_url(edition),
                    }
                    | ({"text": edition.text} if text else {})
                    for edition in self.editions.values()
                ],
            }


def pdf_url(edition: Edition) -> str:
    # The version in the query makes the browser fetch the new PDF, not its cached copy.
    return f"/pdf/{edition.name}?v={edition.version}" + ("-draft" if edition.draft else "")


class _TextOf(HTMLParser):
    """The visible text of an HTML document, one line per block."""

    SKIP = frozenset({"style", "script", "head", "title"})
    BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "tr", "div", "figcaption", "dd"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS or tag in {"td", "th"}:
            self.parts.append("\n" if tag in self.BLOCKS else " ")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def plain_text(page: str) -> str:
    parser = _TextOf()
    parser.feed(page)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


# -- the page ----------------------------------------------------------------

PAGE_SCRIPT = """
new EventSource('/events').onmessage = (event) => {
  if (event.data !== document.body.dataset.generation) location.reload();
};
"""

PAGE_STYLE = """
body{font:15px/1.4 system-ui,sans-serif;margin:1rem;background:#f4f5f7;color:#1d2733}
section{background:#fff;border:1px solid #ccd;border-radius:6px;margin:0 0 1rem;padding:.5rem 1rem}
h2{font-size:1.05rem;margin:.3rem 0}.status{font-weight:600}
.error{color:#a00;font-family:monospace;white-space:pre-wrap;margin:.3rem 0}
iframe{width:100%;height:80vh;border:1px solid #ccd}
.text{white-space:pre-wrap;max-height:40vh;overflow:auto;font-size:13px}
"""


def index_page(state: dict) -> str:
    """The index: every edition's status, its errors, its PDF and its text."""
    body = []
    for line in state["errors"]:
        body.append(f'<p class="error project-error">{html.escape(line)}</p>')
    for edition in state["editions"]:
        name = html.escape(edition["name"])
        parts = [
            f'<section class="edition" data-name="{name}" data-status="{edition["status"]}" '
            f'data-version="{edition["version"]}" data-draft="{str(edition["draft"]).lower()}">',
            f'<h2>{name} <span class="status">{edition["status"]}</span>'
            + (f" {edition['timings']['total']:.2f} s" if edition["status"] == "ok" else "")
            + (" (first layout; the page make-up follows)" if edition["draft"] else "")
            + "</h2>",
        ]
        parts += [f'<p class="error">{html.escape(line)}</p>' for line in edition["errors"]]
        if edition["version"]:
            url = html.escape(edition["pdf"])
            parts.append(f'<p><a href="{url}" target="_blank">open the PDF</a></p>')
            parts.append(f'<iframe src="{url}" title="{name}"></iframe>')
            parts.append(
                f'<details><summary>Text of this edition</summary><div class="text">'
                f"{html.escape(edition['text'])}</div></details>"
            )
        body.append("\n".join([*parts, "</section>"]))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>briefgen preview</title><style>{PAGE_STYLE}</style></head>"
        f'<body data-generation="{state["generation"]}"><h1>briefgen preview</h1>'
        + "\n".join(body)
        + f"<script>{PAGE_SCRIPT}</script></body></html>"
    )


def make_handler(previewer: Previewer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # the terminal is for builds and errors
            pass

        def do_GET(self):
            path = unquote(urlsplit(self.path).path)
            if path == "/":
                page = index_page(previewer.state(text=True))
                self._send(200, "text/html; charset=utf-8", page.encode())
            elif path == "/state.json":
                self._send(200, "application/json", json.dumps(previewer.state()).encode())
            elif path == "/events":
                self._events()
            elif path.startswith("/pdf/"):
                self._pdf(path.removeprefix("/pdf/"))
            else:
                self._send(404, "text/plain", b"not found")

        def _pdf(self, name: str) -> None:
            known = {edition.name: edition for edition in previewer.editions.values()}
            edition = known.get(name)  # only the previewed PDFs: no path is built from input
            target = edition.job.target(previewer.out) if edition else None
            if target is None or not target.is_file():
                self._send(404, "text/plain", b"no PDF yet")
                return
            self._send(200, "application/pdf", target.read_bytes())

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = -1
            try:
                while True:
                    with previewer.lock:
                        previewer.lock.wait_for(lambda seen=seen: previewer.generation != seen, 15)
                        generation = previewer.generation
                    if generation != seen:
                        seen = generation
                        self.wfile.write(f"data: {generation}\n\n".encode())
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return Handler


def serve(previewer: Previewer, host: str = "127.0.0.1", port: int = 8000, announce=print) -> None:
    """Serve the page, build, then rebuild on every edit until interrupted."""
    import watchfiles

    try:
        server = ThreadingHTTPServer((host, port), make_handler(previewer))
    except OSError as error:
        raise BriefgenError(
            f"cannot serve on {host}:{port} ({error.strerror}); "
            "pass another --port, or --port 0 for a free one"
        ) from None
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    announce(f"preview: http://{host}:{server.server_address[1]}/ (Ctrl-C stops)")
    stop = threading.Event()
    try:
        if previewer.load():
            previewer.build()
        roots = [previewer.project.content, previewer.project.templates]
        for changes in watchfiles.watch(*roots, stop_event=stop, step=30, debounce=400):
            previewer.apply(sorted({Path(path) for _, path in changes}))
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
