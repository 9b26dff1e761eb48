"""Citations: evidence checked against the sources, and the note styles.

The evidence tests use a register and two archived texts of their own
(tests/fixtures/evidence/): each writes one paragraph, in both languages, and
checks what `check_evidence` says about it, where.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, briefgen

from briefgen.edition.cite import Citer, SharedNoteCiter, collapse
from briefgen.project.evidence import check_evidence, quote_in, sentences
from briefgen.project.load import load_brief, load_sources
from briefgen.project.parity import extract
from briefgen.project.paths import Project

FIXTURES = Path(__file__).parent / "fixtures" / "evidence"


def evidence_project(folder: Path, en: str, zh: str, assessment: bool = False) -> Path:
    """A project holding the fixture register, its archive and one brief whose test
    paragraph says `en` and `zh`."""
    (folder / "content").mkdir(parents=True)
    shutil.copy(FIXTURES / "sources.yaml", folder / "content" / "sources.yaml")
    shutil.copytree(FIXTURES / "sources", folder / "archive")
    text = (FIXTURES / "brief.yaml").read_text(encoding="utf-8")
    text = text.replace("EN\n", en + "\n").replace("ZH\n", zh + "\n")
    if assessment:
        text += "        assessment: true\n"
    (folder / "content" / "t.yaml").write_text(text, encoding="utf-8")
    return folder


def check(folder: Path) -> list[str]:
    """The evidence problems of the project's brief, as printed (paths relative)."""
    register = load_sources(folder / "content" / "sources.yaml")
    brief = load_brief(folder / "content" / "t.yaml", register)
    report = check_evidence(Project(folder), register, {"t": brief})
    return [re.sub(r"^.*?content/", "content/", str(problem)) for problem in report.problems]


def line_of(folder: Path, needle: str) -> int:
    lines = (folder / "content" / "t.yaml").read_text(encoding="utf-8").split("\n")
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def test_a_supported_paragraph_passes(tmp_path):
    found = check(
        evidence_project(
            tmp_path,
            "The 2024 survey counted 4,694 start-ups, up about 10% [@survey].",
            "2024年的調查錄得4,694間初創企業，按年增加約10%[@survey]。",
        )
    )
    assert found == []


def test_a_figure_cited_to_the_wrong_source_fails_located(tmp_path):
    folder = evidence_project(
        tmp_path,
        "The survey counted 4,694 start-ups [@plan].",
        "調查錄得4,694間初創企業[@plan]。",
    )
    found = check(folder)
    line = line_of(folder, "The survey counted")
    col = (folder / "content" / "t.yaml").read_text().split("\n")[line - 1].index("4,694") + 1
    assert found[0] == (
        f"content/t.yaml:{line}:{col}: error: the figure '4,694' is not in what the sentence "
        'cites: "The survey counted 4,694 start-ups." (tried: plan (plan.txt)) '
        '(quote the passage that states it, [@id, "…"], or cite the source that states it)'
    )
    assert len(found) == 2  # and the Chinese sentence, on its own line
    assert f"t.yaml:{line_of(folder, '調查錄得')}:" in found[1]


def test_a_quote_that_is_not_in_the_source_fails(tmp_path):
    folder = evidence_project(
        tmp_path,
        'About 80% of institutions use generative AI [@survey, "約80%的香港金融機構已採用"].',
        '約80%的金融機構使用生成式人工智能[@survey, "約80%的香港金融機構已採用"]。',
    )
    found = check(folder)
    quote_errors = [f for f in found if "the quote" in f]
    assert len(quote_errors) == 2
    assert quote_errors[0].startswith(f"content/t.yaml:{line_of(folder, 'About 80%')}:")
    assert (
        "the quote \"約80%的香港金融機構已採用\" is not in source 'survey' (survey.txt)"
        in (quote_errors[0])
    )
    assert len(found) == 2  # the figure is in the (wrong) quote: one error each


def test_a_quote_matches_across_whitespace_and_punctuation_width(tmp_path):
    source = (FIXTURES / "sources" / "survey.txt").read_text(encoding="utf-8")
    assert quote_in("約75%的香港金融機構已採用或試行生成式AI", source)
    assert quote_in("約７５％的香港金融機構 已採用", source)  # full-width, a space
    assert quote_in("人工智能的應用…約75%的香港金融機構", source)  # a gap, in order
    assert not quote_in("約75%的香港金融機構…人工智能的應用", source)  # not in that order
    found = check(
        evidence_project(
            tmp_path,
            'About 75% have adopted generative AI [@survey, "約７５％的香港金融機構 已採用"].',
            '約75%已採用生成式人工智能[@survey, "約75%的香港金融機構已採用"]。',
        )
    )
    assert found == []


def test_ten_thousands_against_a_plain_count(tmp_path):
    ok = check(
        evidence_project(
            tmp_path / "ok", "They employed 17,600 people [@survey].", "僱用17,600人[@survey]。"
        )
    )
    assert ok == []
    bad = check(
        evidence_project(
            tmp_path / "bad", "They employed 17,000 people [@survey].", "僱用1.7萬人[@survey]。"
        )
    )
    assert [re.search(r"the figure '([^']+)'", f)[1] for f in bad] == ["17,000", "1.7萬"]


def test_hundred_millions_against_billions(tmp_path):
    ok = check(
        evidence_project(
            tmp_path / "ok",
            "HK$200 billion had been allocated [@survey].",
            "已撥款2,000億港元[@survey]。",
        )
    )
    assert ok == []
    bad = check(
        evidence_project(
            tmp_path / "bad",
            "HK$20 billion had been allocated [@survey].",
            "已撥款200億港元[@survey]。",
        )
    )
    assert len(bad) == 2 and "'20 billion'" in bad[0] and "'200億'" in bad[1]


def test_a_chinese_rank_against_an_english_one(tmp_path):
    ok = check(
        evidence_project(
            tmp_path / "ok",
            'Hong Kong ranked No. 1 for fintech [@survey, "金融科技\t第1位"].',
            '香港的金融科技排名第1位[@survey, "金融科技 第1位"]。',
        )
    )
    assert ok == []
    bad = check(
        evidence_project(
            tmp_path / "bad",
            'Hong Kong ranked No. 2 for fintech [@survey, "金融科技 第1位"].',
            '香港的金融科技排名第2位[@survey, "金融科技 第1位"]。',
        )
    )
    assert len(bad) == 2 and all("the figure '2'" in f for f in bad)
    assert 'tried: survey (quote "金融科技 第1位")' in bad[0]


def test_a_date_against_the_sources_way_of_writing_it(tmp_path):
    ok = check(
        evidence_project(
            tmp_path / "ok",
            "The report was published on 19 November 2025 [@plan].",
            "報道於2025年11月19日發表[@plan]。",
        )
    )
    assert ok == []
    bad = check(
        evidence_project(
            tmp_path / "bad",
            "The report was published on 20 November 2025 [@plan].",
            "報道於2025年11月20日發表[@plan]。",
        )
    )
    assert "the figure '20 November 2025' is not in what the sentence cites" in bad[0]
    assert "the figure '2025年11月20日'" in bad[1]


def test_a_figure_with_no_citation_fails(tmp_path):
    folder = evidence_project(
        tmp_path,
        "The plan is ambitious. It targets 20 scenarios [@plan]. Hong Kong has 1,200 firms.",
        "計劃雄心勃勃。計劃目標為20個場景[@plan]。香港有1,200家企業。",
    )
    found = check(folder)
    assert len(found) == 2
    assert "error: the figure '1,200' has no citation: \"Hong Kong has 1,200 firms.\"" in found[0]
    assert "the figure '1,200' has no citation" in found[1]


def test_the_authors_assessment_needs_no_citation_but_states_no_figure(tmp_path):
    assert (
        check(evidence_project(tmp_path / "ok", "The plan is ambitious.", "計劃雄心勃勃。", True))
        == []
    )
    bad = check(
        evidence_project(tmp_path / "bad", "The plan has 20 parts.", "計劃有20部分。", True)
    )
    assert len(bad) == 2 and "the author's assessment states the figure '20'" in bad[0]


def test_several_citations_pool_their_evidence(tmp_path):
    found = check(
        evidence_project(
            tmp_path,
            'The plan targets 20 scenarios and 75% use AI [@plan; @survey, "約75%的香港金融機構"].',
            '計劃目標為20個場景，約75%機構使用人工智能[@plan; @survey, "約75%的香港金融機構"]。',
        )
    )
    assert found == []


def test_a_missing_archive_warns_with_a_count_and_fails_nothing(tmp_path):
    folder = evidence_project(
        tmp_path, "The survey counted 4,694 start-ups [@plan].", "調查錄得4,694間初創企業[@plan]。"
    )
    shutil.rmtree(folder / "archive")
    found = check(folder)
    assert len(found) == 1
    assert re.match(
        r"content/sources.yaml:2:\d+: warning: the source archive .*archive is missing: "
        r"\d+ citation\(s\) could not be verified",
        found[0],
    )


def test_figures_are_normalised_across_languages():
    def keys(text: str) -> list[object]:
        return [figure.key for figure in extract(text, spelled=True)]

    assert keys("1.76萬人") == keys("17,600 people")
    assert keys("2,000億港元") == keys("HK$200 billion") == keys("HK$200B")
    assert keys("第1位") == keys("No. 1")
    assert keys("19 November 2025") == keys("November 19, 2025") == keys("2025年11月19日")
    assert keys("2021年6月") == keys("June 2021")
    assert keys("七項措施") == keys("seven initiatives") == keys("7 initiatives")
    assert keys("Web3, 5G and AI2Strategy") == []  # names, not figures
    assert keys("the two cities, 兩個目標") == []  # a pair, not a count
    sourced = extract("the two places ranked top and second", spelled=True, source=True)
    assert [figure.key for figure in sourced] == [2.0, 2.0]  # a source is read generously


def test_sentences_carry_their_own_citations():
    found = sentences('Ranked No. 1 in Asia [@a]. Then 2 more [@b, "x. y"; @c]. None here.')
    assert [(s.text, [i for i, _ in s.citations]) for s in found] == [
        ("Ranked No. 1 in Asia.", ["a"]),
        ("Then 2 more.", ["b", "c"]),
        ("None here.", []),
    ]


def test_one_note_per_paragraph_and_per_run_of_list_items():
    assert collapse(['A [@a]. B [@b, "q"]. C [@a, "r"].']) == ['A. B. C [@a, "r"; @b, "q"].']
    assert collapse(["x [@a];", "y [@a];", "z [@a; @b]", "w [@b]"]) == [
        "x;",
        "y [@a];",
        "z [@a; @b]",
        "w [@b]",
    ]


# -- note styles ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def register_and_messages():
    from briefgen.edition.i18n import Messages

    register = load_sources(ROOT / "content" / "sources.yaml")
    return register, Messages(ROOT / "templates" / "base" / "messages.yaml")


def test_a_note_is_full_the_first_time_and_short_after(register_and_messages):
    en = Citer(*register_and_messages, "en")
    first, second = (str(en.footnote(["takungpao-fintech"])) for _ in range(2))
    assert "Ta Kung Pao" in first and "news report" in first
    assert "date of publication not stated" in first
    assert "邵淑芬" not in first, "the source romanises no name: an English note has none"
    assert ">Ta Kung Pao, “Taking the pulse of fintech”.<" in second
    zh = Citer(*register_and_messages, "zh-Hant")
    note = str(zh.footnote(["takungpao-fintech"]))
    assert "《大公報》，邵淑芬，〈把脈金融科技〉，新聞報道，未註明發表日期。" in note
    davos = str(en.footnote(["fs-davos-address"]))
    assert "date of publication not stated" in davos and "January" not in davos


def test_notes_with_quotes_show_the_sources_words(register_and_messages):
    citer = Citer(*register_and_messages, "zh-Hant", "notes-with-quotes")
    note = str(citer.call([("takungpao-fintech", ["約75%的香港金融機構"])]))
    assert "〈把脈金融科技〉" in note and "：「約75%的香港金融機構」。" in note
    plain = str(Citer(*register_and_messages, "zh-Hant").call([("takungpao-fintech", ["約75%"])]))
    assert "約75%" not in plain


def test_a_source_list_numbers_sources_in_order_of_first_citation(register_and_messages):
    citer = Citer(*register_and_messages, "en", "source-list")
    calls = [
        str(citer.call(group))
        for group in ([("hkma-fintech", [])], [("takungpao-fintech", []), ("hkma-fintech", [])])
    ]
    assert calls[0].endswith('<a href="#sources">[1]</a>') and "[2, 1]" in calls[1]
    assert "footnote" not in "".join(calls)
    listed = citer.sources_list()
    assert len(listed) == 2 and listed[0].startswith("Hong Kong Monetary Authority")


def test_the_bilingual_note_names_each_source_in_both_languages_once(register_and_messages):
    citer = SharedNoteCiter(*register_and_messages, ("en", "zh-Hant"), "notes-with-quotes")
    note = str(citer.call([("takungpao-fintech", ["約75%"])]))
    assert note.count("Ta Kung Pao") == 1 and note.count("《大公報》") == 1
    assert note.count("約75%") == 1


# -- built editions ----------------------------------------------------------------


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("citations")
    for audience, langs in (("general", ["en", "bilingual"]), ("public", ["en"])):
        args = ["--brief", "fintech-2030", "--audience", audience, "--format", "pdf"]
        args += [part for lang in langs for part in ("--lang", lang)]
        briefgen("build", "--out", str(out), "--jobs", "1", *args, check=True)
    briefgen(
        "build", "--out", str(out), "--brief", "fintech-2030", "--audience", "general",
        "--lang", "en", "--format", "docx", check=True,
    )  # fmt: skip
    return out


@pytest.mark.slow
def test_general_edition_has_at_most_25_notes_full_then_short(editions, read_pdf):
    notes = read_pdf(editions / "general" / "fintech-2030.en.pdf").notes()
    assert 0 < len(notes) <= 25
    assert sorted(notes) == list(range(1, len(notes) + 1))
    full = [text for text in notes.values() if "news report" in text or "web page" in text]
    # each source in full once (the first time), short after
    assert len(full) == len({re.sub(r",.*", "", t) for t in full}) or len(full) <= 4
    assert "date of publication not stated" in " ".join(notes.values())
    assert "邵淑芬" not in " ".join(notes.values()), "no Chinese name in an English note"


@pytest.mark.slow
def test_docx_has_a_real_footnote_per_pdf_note(editions, read_pdf):
    notes = read_pdf(editions / "general" / "fintech-2030.en.pdf").notes()
    with zipfile.ZipFile(editions / "general" / "fintech-2030.en.docx") as docx:
        footnotes = docx.read("word/footnotes.xml").decode()
        document = docx.read("word/document.xml").decode()
    assert footnotes.count("<w:footnoteRef/>") == len(notes)
    assert document.count("<w:footnoteReference ") == len(notes)


@pytest.mark.slow
def test_bilingual_edition_shares_one_set_of_notes(editions, read_pdf):
    english = read_pdf(editions / "general" / "fintech-2030.en.pdf").notes()
    both = read_pdf(editions / "general" / "fintech-2030.bilingual.pdf").notes()
    assert len(both) == len(english)
    assert "《大公報》" in " ".join(both.values())


@pytest.mark.slow
def test_public_edition_lists_sources_and_has_no_footnotes(editions, read_pdf):
    pdf = read_pdf(editions / "public" / "fintech-2030.en.pdf")
    assert all(not page.calls for page in pdf.pages), "no footnote calls"
    text = pdf.text
    assert "[1]" in text and "Sources" in text
    tail = text[text.rindex("Sources") :]
    assert "Hong Kong Monetary Authority" in tail and "date of publication not stated" in tail


@pytest.mark.slow
def test_check_evidence_prints_a_table(tmp_path):
    result = briefgen("check", "--evidence", cwd=ROOT)
    assert re.search(r"^brief\s+citations\s+figures\s+verified\s+quotes", result.stdout, re.M)
    assert re.search(r"^fintech-2030\s+\d+", result.stdout, re.M)
