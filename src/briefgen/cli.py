"""Command line: `briefgen build` and `briefgen check`.

Errors are printed as one line each (`file:line:col: error: … (hint)`) with a
non-zero exit; a traceback appears only with `--debug`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .build import build, load_project, plan
from .errors import BriefgenError
from .render_html import Project


def find_root(start: Path) -> Path:
    """The project folder: the nearest one up from `start` with content/ and templates/."""
    for folder in [start, *start.parents]:
        if (folder / "content").is_dir() and (folder / "templates").is_dir():
            return folder
    raise BriefgenError(
        f"{start}: no project here (a folder with content/ and templates/); "
        "run briefgen from the project or pass --project"
    )


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="briefgen", description=__doc__.splitlines()[0])
    main.add_argument("--project", type=Path, help="project folder (default: found from here)")
    main.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = main.add_subparsers(dest="command", required=True)

    build_cmd = commands.add_parser("build", help="build the briefs into build/")
    build_cmd.add_argument("--brief", action="append", help="only this brief (repeatable)")
    build_cmd.add_argument("--audience", action="append", help="only this audience (repeatable)")
    build_cmd.add_argument("--lang", action="append", help="only this language (repeatable)")
    build_cmd.add_argument("--out", type=Path, help="output folder (default: <project>/build)")
    build_cmd.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="parallel workers (default: CPUs)"
    )

    commands.add_parser("check", help="validate content, sources and audiences; render nothing")
    return main


def run(args: argparse.Namespace) -> int:
    root = (args.project or find_root(Path.cwd())).resolve()
    project = Project(root)
    loaded = load_project(project)
    if args.command == "check":
        print(
            f"ok: {len(loaded.briefs)} briefs, {len(loaded.register.sources)} sources, "
            f"{len(loaded.audiences)} audiences"
        )
        return 0
    out = (args.out or root / "build").resolve()
    jobs = plan(loaded, args.brief, args.audience, args.lang)
    if not jobs:
        raise BriefgenError("nothing to build: the filters match no brief, audience and language")
    started = time.perf_counter()
    built = build(loaded, jobs, out, args.jobs)
    print(f"{len(built)} file(s) in {out} ({time.perf_counter() - started:.1f} s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return run(args)
    except BriefgenError as error:
        if args.debug:
            raise
        for line in error.lines():
            print(line, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; no partial file was left behind", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
