"""Command line: every command of briefgen (build, check, new-audience, release).

Errors are printed as one line each (`file:line:col: error: … (hint)`) with a
non-zero exit; a traceback appears only with `--debug`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.errors import BriefgenError
from briefgen.files import remove_own_partial_files
from briefgen.project.paths import MAX_AGE_DAYS, Project, find_root

if TYPE_CHECKING:
    from briefgen.engine.build import Summary


def run_build(*args, **kwargs) -> Summary | list:
    """The build, imported only when a command builds: `check` must start fast."""
    from briefgen.engine.build import run_build as build

    return build(*args, **kwargs)


def parser() -> argparse.ArgumentParser:
    # Long but flat: one argparse declaration per command and option, read top to
    # bottom like the --help it produces; splitting it would scatter the CLI.
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
        "--format", action="append", choices=["pdf", "docx"], help="only this format (repeatable)"
    )
    build_cmd.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="parallel workers (default: CPUs)"
    )
    build_cmd.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    build_cmd.add_argument("--plan", action="store_true", help="print the job list; build nothing")
    build_cmd.add_argument("--json", action="store_true", help="with --plan: as JSON, for CI")
    build_cmd.add_argument(
        "--shard", metavar="K/N", help="only the K-th of N balanced slices (for CI fan-out)"
    )

    new_cmd = commands.add_parser(
        "new-audience", help="write a commented starting folder for a new audience"
    )
    new_cmd.add_argument("name", help="the audience's name: lower-case letters, digits, '-'")

    check_cmd = commands.add_parser(
        "check", help="validate content, sources, audiences and templates; render nothing"
    )
    check_cmd.add_argument(
        "--format",
        choices=["text", "json", "github"],
        default="text",
        help="output format: text, json, or github (workflow annotations); default: text",
    )
    check_cmd.add_argument(
        "--max-age-days",
        type=int,
        default=MAX_AGE_DAYS,
        help=f"warn about as_of dates older than this (default: {MAX_AGE_DAYS})",
    )
    check_cmd.add_argument(
        "--today", type=iso_date, help="the date to measure ages from (default: today)"
    )
    check_cmd.add_argument(
        "--evidence",
        action="store_true",
        help="also print, per brief, the citations, figures and quotes checked and verified",
    )
    preview_cmd = commands.add_parser(
        "preview", help="serve editions on localhost and rebuild them as content changes"
    )
    preview_cmd.add_argument("--brief", action="append", help="only this brief (repeatable)")
    preview_cmd.add_argument(
        "--audience", action="append", help="this audience (repeatable; default: general)"
    )
    preview_cmd.add_argument("--lang", action="append", help="this language (default: en)")
    preview_cmd.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    preview_cmd.add_argument(
        "--out", type=Path, help="output folder (default: <project>/build/preview)"
    )
    preview_cmd.add_argument("--open", action="store_true", help="open the page in a browser")
    schema_cmd = commands.add_parser(
        "schema", help="write schemas/*.schema.json (for editors) and docs/audiences.md's keys"
    )
    schema_cmd.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is out of date"
    )
    release_parser(commands)
    for command in (build_cmd, check_cmd, preview_cmd, schema_cmd):
        # also accepted after the command: `briefgen build --debug`
        command.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
        )
    return main


def release_parser(commands: argparse._SubParsersAction) -> None:
    """`briefgen release build|verify|stage|plan|gather` (see briefgen.engine.release and,
    for gathering the outputs of `build --shard K/N`, briefgen.engine.shards)."""
    release = commands.add_parser(
        "release", help="clean, checksummed release builds; verify or stage a release"
    )
    steps = release.add_subparsers(dest="step", required=True)
    build = steps.add_parser("build", help="clean build of the whole matrix, checksummed")
    build.add_argument("--out", type=Path, help="release folder (default: <project>/build/release)")
    build.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="parallel workers (default: CPUs)"
    )
    verify = steps.add_parser("verify", help="verify an existing release folder")
    verify.add_argument("folder", type=Path, nargs="?", default=Path("build/release"))
    stage = steps.add_parser("stage", help="copy a verified release flat, for upload")
    stage.add_argument("folder", type=Path)
    stage.add_argument("dest", type=Path)
    plan = steps.add_parser(
        "plan", help="the release's size and shard fan-out, as key=value lines for CI"
    )
    plan.add_argument("--shards", type=int, help="force this many shards (default: by size)")
    gather = steps.add_parser(
        "gather", help="merge the outputs of `build --shard K/N` into a verified release"
    )
    gather.add_argument("shards", type=Path, nargs="+", help="the shards' --out folders")
    gather.add_argument(
        "--out", type=Path, help="release folder (default: <project>/build/release)"
    )


def run_release(args: argparse.Namespace) -> int:
    """Build, verify or stage a release; a problem is one line naming the file."""
    from briefgen.engine import release

    if args.step == "build":
        root = (args.project or find_root(Path.cwd())).resolve()
        out = args.out or root / "build" / "release"
        print(release.build_release(root, out, args.jobs).summary())
    elif args.step == "verify":
        problems = release.verify_release(args.folder)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(f"{args.folder}: {len(problems)} problem(s); not verified", file=sys.stderr)
            return 1
        manifest = json.loads((args.folder / release.MANIFEST).read_text(encoding="utf-8"))
        print(
            f"{args.folder}: verified {len(manifest['artifacts'])} artifacts and "
            f"{len(manifest['archives'])} archive(s) (commit {manifest.get('commit')})"
        )
    elif args.step == "plan":
        from briefgen.engine.shards import plan_outputs

        root = (args.project or find_root(Path.cwd())).resolve()
        for key, value in plan_outputs(root, args.shards).items():
            print(f"{key}={value}")
    elif args.step == "gather":
        from briefgen.engine.shards import gather

        root = (args.project or find_root(Path.cwd())).resolve()
        out = args.out or root / "build" / "release"
        print(gather(root, args.shards, out).summary())
    else:
        for path in release.stage_release(args.folder, args.dest):
            print(path)
    return 0


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def run(args: argparse.Namespace) -> int:
    # Long but flat: one branch per command, each a few lines that hand over to
    # the module doing the work; a dispatch table would hide the arguments each takes.
    if args.command == "release":  # verify and stage need no project
        return run_release(args)
    root = (args.project or find_root(Path.cwd())).resolve()
    project = Project(root)
    if args.command == "check":
        return run_check(project, args)
    if args.command == "new-audience":
        from briefgen.project.scaffold import new_audience

        for path in new_audience(project, args.name):
            print(f"wrote {path}")
        print(f"next: edit them, then `make report` builds build/{args.name}/")
        return 0
    if args.command == "preview":
        return run_preview(project, args)
    if args.command == "schema":
        from briefgen.project.schema import write_schemas

        changed = write_schemas(root, check_only=args.check)
        for path in changed:
            print(f"{'out of date' if args.check else 'wrote'}: {path.relative_to(root)}")
        return 1 if args.check and changed else 0
    out = (args.out or root / "build").resolve()
    shard = None
    if args.shard:
        from briefgen.engine.shards import parse_shard

        shard = parse_shard(args.shard)
    options = dict(
        briefs=args.brief,
        audiences=args.audience,
        languages=args.lang,
        formats=args.format,
        workers=args.jobs,
        force=args.force,
    )
    if args.plan:
        jobs = run_build(project, out, plan_only=True, shard=shard, **options)
        if args.json:
            print(json.dumps([plan_entry(job, out, root) for job in jobs], indent=2))
        else:
            for job in jobs:
                print(plan_entry(job, out, root)["target"])
        return 0
    try:
        summary = run_build(project, out, shard=shard, **options)
    except BaseException:  # interrupted, or a worker died: no partial file may stay
        remove_own_partial_files(out)
        raise
    assert not isinstance(summary, list)
    print(
        f"{len(summary.built)} built, {len(summary.up_to_date)} up to date, "
        f"{len(summary.failed)} failed, in {out} ({summary.seconds:.1f} s)"
    )
    if summary.failed:
        for outcome in summary.failed:
            print(f"not rebuilt: {outcome.job.target(out)}", file=sys.stderr)
        raise BriefgenError(
            f"{len(summary.failed)} artifact(s) could not be built; "
            "earlier files at those paths were left as they were"
        )
    if shard:
        from briefgen.engine.shards import write_receipt

        everything = run_build(project, out, plan_only=True, **options)
        mine = run_build(project, out, plan_only=True, shard=shard, **options)
        print(
            f"shard {shard[0]}/{shard[1]}: "
            f"{write_receipt(project, out, shard, everything, mine, args.jobs)}"
        )
    return 0


def plan_entry(job, out: Path, root: Path) -> dict:
    target = job.target(out)
    shown = target.relative_to(root) if target.is_relative_to(root) else target
    return {
        "brief": job.brief,
        "audience": job.audience,
        "lang": job.lang,
        "format": job.format,
        "target": str(shown),
    }


def run_preview(project: Project, args: argparse.Namespace) -> int:
    """Serve the editions until Ctrl-C (logic in engine/preview.py)."""
    from briefgen.engine.preview import Previewer, serve

    out = (args.out or project.root / "build" / "preview").resolve()
    previewer = Previewer(project, out, args.brief, args.audience, args.lang)

    def announce(line: str) -> None:
        print(line, flush=True)
        if args.open:
            import webbrowser

            webbrowser.open(line.split()[1])

    serve(previewer, port=args.port, announce=announce)
    return 0


def run_check(project: Project, args: argparse.Namespace) -> int:
    """Print every problem; exit 1 if any is an error (warnings alone pass)."""
    if args.evidence:  # the per-brief table is made by the full check, never cached
        from briefgen.project.check import check_project

        stats: dict = {}
        problems = check_project(project, args.today, args.max_age_days, stats)
    else:
        from briefgen.project.checkcache import cached_check

        problems = cached_check(project, args.today or dt.date.today(), args.max_age_days)
    errors = sum(problem.severity == "error" for problem in problems)
    if args.format == "json":
        print(json.dumps([problem.as_dict() for problem in problems], ensure_ascii=False, indent=2))
    elif args.format == "github":
        for problem in problems:
            print(problem.as_github())
    else:
        for problem in problems:
            print(problem)
        warnings = len(problems) - errors
        if args.evidence:
            from briefgen.project.evidence import Report

            print(Report(stats=stats).table())
        if problems:
            print(f"{errors} error(s), {warnings} warning(s)")
        else:
            print("ok: no problems found")
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "check":
        # A check builds many objects and frees few (imports, parsed trees, models):
        # the default collector walks them every 700 allocations (mypy sets the same
        # bound). Not for a build: a layout's boxes are cycles, and collected this
        # seldom a worker's memory grew from 350 MB to 920 MB over its editions.
        gc.set_threshold(200_000, 30, 30)
    try:
        return run(args)
    except BriefgenError as error:
        if args.debug:
            raise
        for line in error.lines():
            print(line, file=sys.stderr)
        return 1
    except KeyboardInterrupt as error:  # Ctrl-C, or SIGTERM (build.Terminated): 128 + signal
        signum = getattr(error, "signum", 2)
        what = "terminated" if signum != 2 else "interrupted"
        print(f"{what}; no partial file was left behind", file=sys.stderr)
        return 128 + signum
    except Exception as error:  # a bug, not an author's mistake: say so, in one line
        if args.debug:
            raise
        message = " ".join(str(error).split()) or "(no message)"
        print(
            f"briefgen: internal error: {type(error).__name__}: {message} "
            "(run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
