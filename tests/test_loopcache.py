"""What `check` keeps between runs so that an edit re-reads only what changed.

Parsed YAML (parsecache.py), compiled templates (codecache.py) and each brief's
rule-book and evidence outcome (checkcache.py) are kept in build/.cache/, sealed
with this user's key (sealed.py): a kept parse rebuilds exactly the tree the
parser makes, a kept outcome is used only while its brief is unchanged, and a
file that came with the project (not sealed by this user) is never used, so
compiled code from outside never runs.
"""

from __future__ import annotations

import json
import marshal
import shutil
from pathlib import Path

import jinja2
import pytest
from conftest import ROOT, run
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from briefgen import sealed
from briefgen.project import document, evidence, parsecache, rules, safeyaml

TODAY = "2025-12-20"
BAD, GOOD = "values: [45]", "values: [45, 35]"


def check(project: Path):
    return run(project, "check", "--today", TODAY)


def uncached(project: Path):
    shutil.rmtree(project / "build" / ".cache", ignore_errors=True)
    return check(project)


def touch(path: Path) -> None:
    """An edit that changes the file's bytes and nothing it means."""
    path.write_text(path.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")


@pytest.fixture
def two_briefs(project: Path) -> Path:
    shutil.copy(project / "content/mini.yaml", project / "content/other.yaml")
    return project


def counting(monkeypatch, module, name: str, key=lambda *args: args[0]) -> list:
    """Calls of `module.name`, each recorded by `key` of its arguments."""
    calls: list = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(key(*args))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


# -- the parse kept as JSON rebuilds the parser's tree ---------------------------


def assert_same_tree(kept, parsed, where="") -> None:
    assert type(kept) is type(parsed), where
    assert kept == parsed, where
    if isinstance(parsed, CommentedMap | CommentedSeq):
        assert (kept.lc.line, kept.lc.col) == (parsed.lc.line, parsed.lc.col), where
        assert kept.lc.data == parsed.lc.data, where
        keys = parsed.keys() if isinstance(parsed, CommentedMap) else range(len(parsed))
        for key in keys:
            assert_same_tree(kept[key], parsed[key], f"{where}/{key}")


@pytest.mark.parametrize(
    "path",
    sorted([*(ROOT / "content").rglob("*.yaml"), *(ROOT / "templates").rglob("*.yaml")]),
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_a_kept_parse_is_the_parse(path):
    parsed, _ = safeyaml.parse(path, path.read_text(encoding="utf-8"))
    assert_same_tree(parsecache.decode(parsecache.encode(parsed)), parsed)


def test_decimals_are_kept(tmp_path):
    """Series values are numbers: a brief with decimals must not be parsed every time."""
    text = "values: [45.5, 1e3, .5, 2.50, -0.0, 1_000.5]\nshare: 0.75\n"
    parsed, problems = safeyaml.parse(tmp_path / "x.yaml", text)
    assert not problems
    kept = parsecache.decode(json.loads(json.dumps(parsecache.encode(parsed))))
    assert_same_tree(kept, parsed)
    assert [vars(v) for v in kept["values"]] == [vars(v) for v in parsed["values"]]


def test_what_the_format_cannot_rebuild_is_parsed_each_time(tmp_path):
    text = "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\nwhen: 2025-01-02 10:00:00\n"
    parsed, problems = safeyaml.parse(tmp_path / "x.yaml", text)
    assert not problems
    with pytest.raises(parsecache.Unkept):
        parsecache.encode(parsed)


# -- after an edit, only what changed is done again ---------------------------------


def test_after_one_brief_is_edited_only_it_is_parsed_and_checked(two_briefs, monkeypatch):
    first = uncached(two_briefs)
    monkeypatch.setattr(document, "_parsed", {})  # as in a new process
    parsed = counting(monkeypatch, safeyaml, "parse", key=lambda path, text: Path(path).name)
    ruled = counting(monkeypatch, rules, "brief_problems", key=lambda doc, reg: doc.path.stem)
    checked = counting(monkeypatch, evidence, "Checker", key=lambda doc, *_: doc.path.stem)
    touch(two_briefs / "content/other.yaml")
    assert check(two_briefs) == first
    assert parsed == ["other.yaml"]
    assert ruled == ["other"] and checked == ["other"]


def test_a_brief_made_invalid_is_reported_while_the_other_is_kept(two_briefs):
    first = uncached(two_briefs)
    (two_briefs / "content/other.yaml").write_text(
        (two_briefs / "content/other.yaml")
        .read_text(encoding="utf-8")
        .replace(GOOD, BAD)
        .replace("[@hkma-fintech]. It", '[@hkma-fintech, "not in the source"]. It'),
        encoding="utf-8",
    )
    broken = check(two_briefs)
    assert broken.returncode == 1
    assert "series 1 has 1 values" in broken.stdout
    assert broken == uncached(two_briefs), "the kept outcomes changed the answer"
    shutil.copy(two_briefs / "content/mini.yaml", two_briefs / "content/other.yaml")
    assert check(two_briefs) == first


def test_templates_are_compiled_once_then_read_back(project, monkeypatch):
    compiled = counting(monkeypatch, jinja2.Environment, "compile", key=lambda env, *a: a[1:2])
    first = uncached(project)
    assert compiled, "nothing was compiled"
    compiled.clear()
    touch(project / "content/mini.yaml")
    assert check(project) == first
    assert compiled == []
    (project / "templates/base/brief.html.j2").write_text(
        (project / "templates/base/brief.html.j2").read_text(encoding="utf-8") + "\n",
        encoding="utf-8",
    )
    check(project)
    assert compiled and {name for (name,) in compiled} <= {"base/brief.html.j2", "brief.html.j2"}


# -- files that came with the project are never used ------------------------------


def test_compiled_code_that_came_with_the_project_never_runs(project, tmp_path):
    uncached(project)
    marker = tmp_path / "ran"
    evil = compile(f"open({str(marker)!r}, 'w').write('x')", "<evil>", "exec")
    kept = sorted((project / "build/.cache/templates").glob("*.code"))
    assert kept
    for path in kept:  # what a project could bring: right names, no valid seal
        path.write_bytes(bytes(32) + marshal.dumps(evil))
    shutil.rmtree(project / "build/.cache/check")
    first = check(project)
    assert not marker.exists() and first.returncode == 0
    # The control: the same code sealed with this user's key would run.
    for path in kept:
        path.write_bytes(sealed.seal(marshal.dumps(evil), path.name))
    shutil.rmtree(project / "build/.cache/check")
    check(project)
    assert marker.exists()


def test_a_parse_that_came_with_the_project_is_not_used(project, monkeypatch):
    uncached(project)
    kept = sorted((project / "build/.cache/parsed").glob("*.json"))
    assert kept
    for path in kept:  # a forged parse: readable JSON, a different meaning, no valid seal
        body = sealed.unseal(path.read_bytes(), path.name)
        assert body is not None
        path.write_bytes(bytes(32) + body.replace(b'"45"', b'"99"').replace(b"45", b"99"))
    parsed = counting(monkeypatch, safeyaml, "parse")
    monkeypatch.setattr(document, "_parsed", {})  # nor what this process remembers
    shutil.rmtree(project / "build/.cache/check")
    again = check(project)
    assert len(parsed) == len(kept), "a forged parse was used"
    assert again == uncached(project)


def test_a_sealed_file_renamed_to_another_entry_is_not_used(project, monkeypatch):
    """A project that comes back with build/.cache/ could file an old, validly sealed
    parse under the name (the digest) of the brief's new content."""
    uncached(project)
    kept = sorted((project / "build/.cache/parsed").glob("*.json"))
    assert len(kept) > 1
    blobs = [path.read_bytes() for path in kept]
    for path, blob in zip(kept, blobs[1:] + blobs[:1], strict=True):
        path.write_bytes(blob)  # each entry now holds another's sealed parse
    parsed = counting(monkeypatch, safeyaml, "parse")
    monkeypatch.setattr(document, "_parsed", {})
    shutil.rmtree(project / "build/.cache/check")
    again = check(project)
    assert len(parsed) == len(kept), "a parse filed under another name was used"
    assert again == uncached(project)


def test_a_key_made_by_a_run_is_whole(tmp_path, monkeypatch):
    """The key appears by a link, whole: no empty key is ever visible (one would
    turn caching off for good), and no temporary file is left beside it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    sealed._key.cache_clear()
    try:
        assert sealed._key() is not None
        assert len(sealed.key_file().read_bytes()) == 32
        assert [p.name for p in sealed.key_file().parent.iterdir()] == ["cache.key"]
    finally:
        sealed._key.cache_clear()


def test_a_key_others_can_read_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    sealed._key.cache_clear()
    try:
        assert sealed.unseal(sealed.seal(b"body", "a"), "a") == b"body"
        sealed.key_file().chmod(0o644)
        sealed._key.cache_clear()
        assert sealed.seal(b"body", "a") is None and sealed.unseal(bytes(40), "a") is None
    finally:
        sealed._key.cache_clear()


def test_package_versions_agree_with_importlib_metadata():
    """Versions read from dist-info folder names (incremental.package_versions, which
    keys the check and build caches) are the ones importlib.metadata reports."""
    from importlib import metadata

    from briefgen.engine.incremental import package_versions

    names = sorted({dist.metadata["Name"] for dist in metadata.distributions()})
    names += ["not-a-package-here", "Jinja2", "python_docx", "ruamel.yaml"]
    expected = {}
    for name in names:
        try:
            expected[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected[name] = "absent"
    assert package_versions(tuple(names)) == expected
