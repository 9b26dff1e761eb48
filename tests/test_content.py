"""The briefs' wording: what an editor checks by eye, made repeatable (issue #15).

These read content/*.yaml directly (no build), so they are fast: each asserts a
rule of the house style or a fix of the issue that a later edit could undo.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
BRIEFS = ["digital-assets", "fintech-2030", "hk-shenzhen-plan"]
CITATION = re.compile(r"\[@[^\]]+\]")
REFERENCE = re.compile(r"\{=[^}]+\}")
#: Set phrases that Hong Kong Chinese writes with Chinese numerals (四大支柱, 六項措施).
SET_PHRASE = re.compile(r"[0-9](大支柱|大「DART」|項重點措施|項「智慧銀行」|批代幣化)")


def load(brief: str) -> dict:
    return YAML(typ="safe").load((ROOT / "content" / f"{brief}.yaml").read_text("utf-8"))


def texts(node: object, lang: str, plain: bool = True) -> Iterator[str]:
    """Every text of one language, in document order (summary first); a citation's
    quote (the source's own words, `[@id, "…"]`) is not the brief's prose."""
    if isinstance(node, dict):
        if isinstance(node.get(lang), str):
            yield CITATION.sub(lambda m: re.sub(r',\s*"[^"]*"', "", m.group(0)), node[lang])
        for key, value in node.items():
            if key != "plain" or plain:
                yield from texts(value, lang, plain)
    elif isinstance(node, list):
        for value in node:
            yield from texts(value, lang, plain)


def prose(brief: str, lang: str) -> list[str]:
    """The running text: summary and section blocks (not data labels)."""
    data = load(brief)
    return list(texts(data["summary"], lang)) + list(texts(data["sections"], lang))


def all_text(brief: str, lang: str) -> str:
    return "\n".join(texts(load(brief), lang))


@pytest.mark.parametrize("brief", BRIEFS)
def test_english_uses_curly_quotes_and_en_dashes(brief: str) -> None:
    for text in texts(load(brief), "en"):
        assert '"' not in text and "'" not in text, text
        assert not re.search(r"\d{4}-\d{4}", text), text  # 2025–2027
        assert not re.search(r"(Hong Kong|Shenzhen|Guangdong)-[A-Z]", text), text


@pytest.mark.parametrize("brief", BRIEFS)
def test_english_prose_writes_small_numbers_in_words(brief: str) -> None:
    small = re.compile(r"(?<![\d.,:$/\u00a0–-])\b[1-9]\b(?![\d%.,:]\d|%|\.\d)")
    for text in prose(brief, "en"):
        plain = REFERENCE.sub("", CITATION.sub("", text))
        assert not small.search(plain), plain


@pytest.mark.parametrize("brief", BRIEFS)
def test_hong_kong_chinese_typography(brief: str) -> None:
    for text in texts(load(brief), "zh-Hant"):
        assert not re.search(r"[^\x00-\x7f]/|/[^\x00-\x7f]", text), text  # ／
        assert " – " not in text and not re.search(r"\d{4}-\d{4}", text), text  # 2025至2027年
        assert not SET_PHRASE.search(text), text
        assert "未來5年" not in text and "亦或會" not in text and "骨幹" not in text, text
        assert "指數據" not in text, text  # reads as 指數


def test_newspaper_named_alike_in_text_and_notes() -> None:
    from briefgen.edition.cite import format_source
    from briefgen.edition.i18n import Messages
    from briefgen.project.load import load_sources

    register = load_sources(ROOT / "content" / "sources.yaml")
    messages = Messages(ROOT / "templates" / "base" / "messages.yaml")
    note = format_source(register.sources["takungpao-fintech"], "zh-Hant", messages)
    assert note.startswith("《大公報》")  # the register names the outlet; notes set it in 《》
    # 004 prints no date of its own: 21 January is the date of the address
    assert register.sources["fs-davos-address"].date is None


@pytest.mark.parametrize("brief", BRIEFS)
def test_regulator_named_in_full_at_first_mention(brief: str) -> None:
    first_en = next(t for t in prose(brief, "en") if "HKMA" in t)
    assert re.search(r"Hong Kong Monetary Authority(’s)? \(HKMA(’s)?\)", first_en), first_en
    first_zh = next(t for t in prose(brief, "zh-Hant") if "金管局" in t)
    assert "香港金融管理局（金管局）" in first_zh, first_zh


def test_digital_assets_is_dated_no_earlier_than_the_address() -> None:
    data = load("digital-assets")
    assert data["as_of"] >= dt.date(2026, 1, 21)  # README: 004's events place it in 2026
    assert data["title"]["en"] != "Digital-asset status"


def test_plans_stay_plans() -> None:
    english = all_text("digital-assets", "en")
    chinese = all_text("digital-assets", "zh-Hant")
    assert "has been made regular" not in english and "will make such issuance regular" in english
    assert "已將此項發行恆常化" not in chinese and "已經恆常化" not in chinese
    assert "“later this year”" not in english and "「今年稍後」" not in chinese


def test_fintech_2030_mentions_no_imd() -> None:
    assert "IMD" not in all_text("fintech-2030", "en") + all_text("fintech-2030", "zh-Hant")


@pytest.mark.parametrize(
    ("brief", "needles"),
    [
        ("hk-shenzhen-plan", ["Shi Weigan", "Christopher Hui Ching-yu", "Li Wei", "Z/Yen"]),
        ("hk-shenzhen-plan", ["China Development Institute"]),
        ("digital-assets", ["Paul Chan", "mBridge"]),
        ("fintech-2030", ["Z/Yen", "China Development Institute", "fintech@hkma.gov.hk"]),
    ],
)
def test_coverage_is_cited_in_both_languages(brief: str, needles: list[str]) -> None:
    for lang in ("en", "zh-Hant"):
        for needle in needles:
            holding = [t for t in prose(brief, lang) if needle in t]
            assert holding, f"{brief} {lang} never names {needle}"
            assert all(CITATION.search(t) for t in holding), needle


def test_each_dart_pillar_names_a_concrete_project() -> None:
    pillars = next(
        block["bullets"]
        for section in load("fintech-2030")["sections"]
        if section["id"] == "dart-pillars"
        for block in section["blocks"]
        if "bullets" in block
    )
    projects = ["Payment Connect", "sandbox", "certification framework", "Ensemble"]
    for pillar, project in zip(pillars, projects, strict=True):
        assert project in pillar["en"], pillar["en"]


def words(text: str) -> list[str]:
    return re.findall(r"[\w’{}=.%$-]+", CITATION.sub(" ", text))


@pytest.mark.parametrize("brief", BRIEFS)
def test_summary_does_not_copy_the_body(brief: str) -> None:
    """A figure read in the summary is not read again in the same words below."""
    run = 10
    data = load(brief)
    body = set()
    for text in texts(data["sections"], "en", plain=False):
        found = words(text)
        body |= {tuple(found[i : i + run]) for i in range(len(found) - run + 1)}
    for text in texts(data["summary"], "en"):
        found = words(text)
        copied = [found[i : i + run] for i in range(len(found) - run + 1)]
        assert not [c for c in copied if tuple(c) in body], text


# --------------------------------------------------------------------------
# Simplified Chinese for mainland readers (content/zh-Hans.yaml)

#: The Hong Kong terms of issue #15 that a mainland edition must not show.
HONG_KONG_TERMS = [
    *("支援", "透过", "应用程式", "云端", "私隐", "度身订造", "持份者", "外展活动"),
    *("量子电脑", "基建", "恒常化", "按年", "雇用人员", "数码化", "数码科技", "策略性企业"),
    *("监察", "风险管治", "发牌", "分散式账本", "最简可行产品", "或会", "建基于", "订下目标"),
]
#: Proper names that keep their own words in every edition.
KEPT_NAMES = ("多种央行数码货币跨境网络", "数码港")


@pytest.fixture
def mainland():
    """A converter with the project's phrase list (no process-wide state to reset)."""
    from briefgen.edition.simplified import Simplifier

    phrases = YAML(typ="safe").load((ROOT / "content" / "zh-Hans.yaml").read_text("utf-8"))
    return Simplifier(phrases["phrases"])


@pytest.mark.parametrize(
    ("traditional", "expected"),
    [
        # verbs and function words
        ("以支援數據共享", "以支持数据共享"),
        ("透過實時分析", "通过实时分析"),
        ("計劃建基於兩地優勢", "计划基于两地优势"),
        ("或會推出文件", "或将推出文件"),
        ("並訂下目標", "并设定目标"),
        ("按年增加約10%", "同比增加约10%"),
        ("將此項發行恆常化", "将此项发行常态化"),
        ("向11個平台發牌", "向11个平台发放牌照"),
        # technology
        ("應用程式及軟件開發人員", "应用程序及软件开发人员"),
        ("系統架構設計師及雲端專家", "系统架构设计师及云计算专家"),
        ("為量子電腦時代做好準備", "为量子计算机时代做好准备"),
        ("利用分散式賬本技術", "利用分布式账本技术"),
        ("「最簡可行產品」階段", "“最小可行产品”阶段"),
        # digital
        ("企業數碼化", "企业数字化"),
        ("香港的數碼科技樞紐", "香港的数字科技枢纽"),
        # governance, supervision, the economy
        ("持續監察鏈上交易", "持续监测链上交易"),
        ("合規及風險管治", "合规及风险治理"),
        ("新一代金融基建", "新一代金融基础设施"),
        ("數據私隱及網絡安全", "数据隐私及网络安全"),
        ("主要持份者", "主要利益相关方"),
        ("進行外展活動", "进行推广活动"),
        ("度身訂造的服務", "量身定制的服务"),
        ("其他策略性企業", "其他战略性企业"),
        ("僱用人員增加7%", "从业人员增加7%"),
        # measure words for companies
        ("其中逾600間為金融科技初創公司", "其中逾600家为金融科技初创公司"),
        # names are kept
        ("「多種央行數碼貨幣跨境網絡」（mBridge）", "“多种央行数码货币跨境网络”（mBridge）"),
        ("數碼港", "数码港"),
        ("數碼貨幣／區塊鏈專家", "数字货币／区块链专家"),
        # 之間 is not a measure word
        ("在兩者之間取得平衡", "在两者之间取得平衡"),
    ],
)
def test_mainland_wording(mainland, traditional: str, expected: str) -> None:
    assert mainland(traditional) == expected


def test_every_listed_term_has_a_rule() -> None:
    phrases = YAML(typ="safe").load((ROOT / "content" / "zh-Hans.yaml").read_text("utf-8"))
    rules = phrases["phrases"]
    for term in HONG_KONG_TERMS:
        assert any(term.startswith(key) or key in term for key in rules), term


@pytest.mark.slow
def test_mainland_pdfs_show_no_hong_kong_terms(tmp_path: Path) -> None:
    import subprocess
    import sys

    briefgen = str(Path(sys.executable).parent / "briefgen")
    out = tmp_path / "build"
    for brief in BRIEFS:
        subprocess.run(
            [
                *(briefgen, "build", "--brief", brief, "--audience", "mainland-partner"),
                *("--lang", "zh-Hans", "--format", "pdf", "--out", str(out)),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    pdfs = sorted(out.glob("mainland-partner/*.zh-Hans.pdf"))
    assert len(pdfs) == len(BRIEFS)
    for pdf in pdfs:
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True
        ).stdout
        text = re.sub(r"\s+", "", text)  # a term may break across lines
        for name in KEPT_NAMES:
            text = text.replace(name, "")
        assert "数码货币跨境" not in text  # the name whole, never a hybrid
        found = [term for term in HONG_KONG_TERMS if term in text]
        assert not found, f"{pdf.name}: {found}"


# --------------------------------------------------------------------------
# Editions that earn their place: public (plain, readable) and board (one page)


def public_texts(brief: str, lang: str) -> list[str]:
    """What the public edition reads, as its plain_language setting chooses it."""
    data = load(brief)
    found = [text[lang] for text in data.get("plain_summary") or data["summary"]]
    for section in data["sections"]:
        for block in section["blocks"]:
            if "paragraph" in block:
                found.append((block.get("plain") or block["paragraph"])[lang])
            elif "bullets" in block:
                found.extend(item[lang] for item in block.get("plain") or block["bullets"])
    return [REFERENCE.sub("12", CITATION.sub("", text)).replace("**", "") for text in found]


@pytest.mark.parametrize("brief", BRIEFS)
def test_public_english_reads_at_grade_ten_or_below(brief: str) -> None:
    import textstat  # pinned to 0.7.3: later versions fetch NLTK data from the network

    grade = textstat.flesch_kincaid_grade("\n".join(public_texts(brief, "en")))
    assert grade <= 10, f"{brief}: Flesch–Kincaid grade {grade}"


@pytest.mark.parametrize("brief", BRIEFS)
def test_public_chinese_sentences_are_short(brief: str) -> None:
    sentences = [
        s for text in public_texts(brief, "zh-Hant") for s in re.split(r"[。！？：；]", text) if s
    ]
    average = sum(map(len, sentences)) / len(sentences)
    assert average <= 40, f"{brief}: {average:.0f} characters a sentence"
    assert max(map(len, sentences)) <= 90, max(sentences, key=len)


@pytest.mark.parametrize("brief", BRIEFS)
def test_public_avoids_unexplained_jargon(brief: str) -> None:
    for text in public_texts(brief, "en"):
        assert "AI²" not in text and "AI2Strategy" not in text, text
        if "DART" in text:
            assert "main" in text or "pillar" in text, text  # said what it is


@pytest.mark.parametrize("brief", BRIEFS)
def test_assessment_states_no_figures_and_cites_nothing(brief: str) -> None:
    points = load(brief)["assessment"]
    assert 3 <= len(points) <= 5
    for point in points:
        for lang in ("en", "zh-Hant"):
            assert not re.search(r"\d", point[lang]) and not CITATION.search(point[lang])


def build(tmp: Path, brief: str, audience: str, *langs: str) -> dict[str, Path]:
    import subprocess
    import sys

    briefgen = str(Path(sys.executable).parent / "briefgen")
    built = {}
    for lang in langs:
        subprocess.run(
            [
                *(briefgen, "build", "--brief", brief, "--audience", audience),
                *("--lang", lang, "--format", "pdf", "--out", str(tmp)),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        built[lang] = tmp / audience / f"{brief}.{lang}.pdf"
    return built


def pdf_text(path: Path) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"], capture_output=True, text=True
    ).stdout


def pdf_pages(path: Path) -> int:
    import subprocess

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


@pytest.mark.slow
@pytest.mark.parametrize("brief", BRIEFS)
def test_board_edition_is_one_page_with_the_points(tmp_path: Path, brief: str) -> None:
    data = load(brief)
    for lang, pdf in build(tmp_path, brief, "board", "en", "zh-Hant").items():
        assert pdf_pages(pdf) == 1, f"{pdf.name}: {pdf_pages(pdf)} pages"
        text = re.sub(r"\s+", "", pdf_text(pdf))
        heading = "Pointsfortheboard" if lang == "en" else "供董事會考慮的要點"
        assert heading in text
        for point in data["assessment"]:
            assert re.sub(r"\s+", "", point[lang])[:20] in text
        figures = re.findall(r"(?:Figure|圖)(\d)", text)
        assert set(figures) == {"1"}, figures  # one chart
        assert data["subtitle"][lang].replace(" ", "") in text  # masthead, not a cover page


@pytest.mark.slow
def test_public_edition_shows_each_dataset_once(tmp_path: Path) -> None:
    data = load("fintech-2030")
    pdf = build(tmp_path, "fintech-2030", "public", "en")["en"]
    text = pdf_text(pdf)
    for name, dataset in data["data"].items():
        title = dataset["title"]["en"]
        kinds = set(
            re.findall(
                rf"^\s*(Table|Figure) \d+ {re.escape(title)}(?:\d+|\s*\[\d+\])?\s*$", text, re.M
            )
        )
        assert len(kinds) <= 1, f"{name} is shown as {kinds}"
