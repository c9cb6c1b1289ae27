"""The catalogues: complete, in step with the code, consistent, and read the way the app reads.

- every message of every Chinese catalogue is translated and none is fuzzy;
- every message the code marks (`_()`, `t()`, `N_()`, `ngettext()`, `pgettext()`) is in its
  area's catalogue, and the catalogue holds nothing the code no longer says;
- every source file belongs to exactly one area; no `_()` of an f-string;
- a translation keeps the English text's `{placeholders}`, and one English text has one
  translation in every area (the catalogues are merged);
- the glossary's terms are used: a message with a glossary term has its Chinese.
"""

import ast
import fnmatch
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

from core.i18n import (
    AREAS,
    LANGUAGES,
    SOURCE,
    Catalogue,
    area_files,
    area_of,
    catalogue,
    po_path,
    read_catalogue,
    source_files,
)
from tests.conftest import ROOT

TRANSLATED = [lang for lang in LANGUAGES if lang != SOURCE]
KEYWORDS = {**DEFAULT_KEYWORDS, "t": None}
MARKERS = {"_", "t", "N_", "gettext", "ngettext", "pgettext"}


def _read(path: Path):
    with open(path, "rb") as f:
        return read_po(f)


def _key(message) -> tuple:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return (message.context, msgid)


def _areas_with_catalogues() -> list[str]:
    return [a for a in AREAS if area_files(a)]


def extracted(area: str) -> set[tuple]:
    """(context, English) of every message the area's code marks, as pybabel extracts them."""
    found = set()
    for path in area_files(area):
        for _line, msgid, _comments, context in extract_from_file(
            "python", str(ROOT / path), keywords=KEYWORDS
        ):
            found.add((context, msgid[0] if isinstance(msgid, tuple) else msgid))
    return found


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("area", _areas_with_catalogues())
def test_every_message_is_translated_and_none_is_fuzzy(area, lang):
    path = po_path(lang, area)
    assert path.exists(), f"{path} is missing: python scripts/translations.py update {area}"
    problems = []
    for message in _read(path):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {_key(message)[1]!r}")
        elif not all(strings):
            problems.append(f"untranslated: {_key(message)[1]!r}")
    assert not problems, f"{path.relative_to(ROOT)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("area", _areas_with_catalogues())
def test_the_catalogue_holds_exactly_what_the_code_says(area, lang):
    in_code = extracted(area)
    in_catalogue = {_key(m) for m in _read(po_path(lang, area)) if m.id}
    missing, stale = in_code - in_catalogue, in_catalogue - in_code
    hint = f"run: python scripts/translations.py update {area}"
    assert not missing, f"not in {area}.po ({hint}): {sorted(m[1] for m in missing)}"
    assert not stale, f"in {area}.po but no longer in the code ({hint}): {sorted(stale)}"


def test_the_shell_and_home_say_something():
    """Phase 1 translated these two areas: the extraction sees their texts."""
    assert ("Presenter mode" in {m for _, m in extracted("shell")}) is True
    assert {m for _, m in extracted("home")} >= {"Basics", "Tensors", "Behaviour cloning"}


def test_every_source_file_is_in_exactly_one_area():
    for path in source_files():
        matches = [
            area
            for area, patterns in AREAS.items()
            if any(
                fnmatch.fnmatchcase(path, p) and p.count("/") == path.count("/") for p in patterns
            )
        ]
        assert len(matches) == 1, f"{path} is in {matches or 'no area'}: add it to core.i18n.AREAS"
        assert area_of(path) == matches[0]


def _marker_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in MARKERS:
                yield name, node


def test_no_message_is_an_f_string_or_a_concatenation_of_values():
    bad = []
    for path in source_files():
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        for name, call in _marker_calls(tree):
            first = call.args[1] if name == "pgettext" and len(call.args) > 1 else call.args[0]
            if isinstance(first, ast.JoinedStr) or (
                isinstance(first, ast.BinOp) and not isinstance(first.op, ast.Mod)
            ):
                bad.append(f"{path}:{call.lineno}: {name}() of an f-string or a sum")
    assert not bad, "translate the English text with {names}, then .format():\n" + "\n".join(bad)


def test_no_message_is_marked_inside_an_f_string():
    """pybabel reads `f"{_('x')}"` on Python 3.12 and later but not on 3.11 (f-strings became
    tokens of their own), so such a message is in or out of the catalogue by interpreter."""
    bad = []
    for path in source_files():
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            for name, call in _marker_calls(node):
                if any(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args):
                    bad.append(f"{path}:{call.lineno}: {name}() of a literal inside an f-string")
    assert not bad, "mark the text outside the f-string:\n" + "\n".join(bad)


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders(lang):
    bad = []
    for area in _areas_with_catalogues():
        for message in _read(po_path(lang, area)):
            if not message.id or not message.string:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if "python-brace-format" not in message.flags:
                continue
            for text in strings:
                if text and _fields(text) != _fields(ids[-1]):  # Chinese's one form: the plural's
                    bad.append(f"{area}: {ids[0]!r} -> {text!r}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_one_english_text_has_one_translation_everywhere(lang):
    seen: dict[tuple, tuple[str, object]] = {}
    clashes = []
    for area in _areas_with_catalogues():
        for message in _read(po_path(lang, area)):
            if not message.id or not message.string:
                continue
            key = _key(message)
            if key in seen and seen[key][1] != message.string:
                clashes.append(
                    f"{key[1]!r}: {seen[key][0]} {seen[key][1]!r}, {area} {message.string!r}"
                )
            seen.setdefault(key, (area, message.string))
    assert not clashes, "use the same words, or pgettext(context, ...):\n" + "\n".join(clashes)


# ----------------------------------------------------------------------------- glossary
GLOSSARY = ROOT / "locales" / "GLOSSARY.md"


def glossary() -> list[tuple[str, str, bool]]:
    """(English, Chinese, checked) rows of the glossary's table."""
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and line.startswith("|") and not set(cells[0]) <= set("-: "):
            if cells[0].lower() != "english":
                rows.append((cells[0], cells[1], cells[2].startswith("✓")))
    return rows


def test_the_glossary_has_the_issue_terms():
    terms = {en.lower(): zh for en, zh, _ in glossary()}
    for en, zh in {
        "tensor": "张量",
        "broadcasting": "广播",
        "view": "视图",
        "computation graph": "计算图",
        "autograd": "自动求导",
        "backpropagation": "反向传播",
        "gradient descent": "梯度下降",
        "learning rate": "学习率",
        "loss function": "损失函数",
        "optimizer": "优化器",
        "module": "模块",
        "behaviour cloning": "行为克隆",
        "expert policy": "专家策略",
        "agent": "智能体",
        "jidi": "及第平台",
        "epoch": "轮",
        "batch": "批",
        "gradient": "梯度",
        "parameter": "参数",
        "weight": "权重",
    }.items():
        assert zh in terms.get(en, ""), f"glossary: {en} should read {zh}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_use_the_glossary(lang):
    checked = [(en, zh) for en, zh, check in glossary() if check]
    assert len(checked) >= 10
    bad = []
    for area in _areas_with_catalogues():
        for message in _read(po_path(lang, area)):
            if not message.id or not message.string or isinstance(message.id, tuple):
                continue
            english = re.sub(r"`[^`]*`", " ", message.id)  # code is not prose
            for en, zh in checked:
                options = [z.strip() for z in zh.split("/")]
                if re.search(
                    rf"(?<![.\w]){re.escape(en)}(?:e?s)?(?!\w)", english, re.I
                ) and not any(z in message.string for z in options):
                    bad.append(f"{area}: {message.id!r} -> {message.string!r} lacks {zh} ({en})")
    assert not bad, "see locales/GLOSSARY.md:\n" + "\n".join(bad)


# ----------------------------------------------------------------------------- the reader
PO = """msgid ""
msgstr ""
"Language: zh\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

msgid "Loss"
msgstr "损失"

#, fuzzy
msgid "Lost"
msgstr "丢了"

msgid "Empty"
msgstr ""

msgctxt "tensor"
msgid "View"
msgstr "视图"

msgid "{n} epoch"
msgid_plural "{n} epochs"
msgstr[0] "{n} 轮"
"""


def test_the_reader_skips_fuzzy_and_empty_and_knows_context_and_plurals(tmp_path):
    po = tmp_path / "zh" / "LC_MESSAGES" / "x.po"
    po.parent.mkdir(parents=True)
    po.write_text(PO, encoding="utf-8")
    cat = read_catalogue([po])
    assert cat.gettext("Loss") == "损失"
    assert cat.gettext("Lost") == "Lost"  # fuzzy: shown in English, never a guess
    assert cat.gettext("Empty") == "Empty"
    assert cat.gettext("View") == "View" and cat.pgettext("tensor", "View") == "视图"
    assert cat.ngettext("{n} epoch", "{n} epochs", 1) == "{n} 轮"
    assert cat.ngettext("{n} epoch", "{n} epochs", 5) == "{n} 轮"
    english = Catalogue()
    assert english.ngettext("{n} epoch", "{n} epochs", 1) == "{n} epoch"
    assert english.ngettext("{n} epoch", "{n} epochs", 5) == "{n} epochs"
    # the app's loader reads the folder and reads it again when a file changes
    assert catalogue("zh", tmp_path, recheck=0).gettext("Loss") == "损失"
    po.write_text(PO.replace("损失", "损失值"), encoding="utf-8")
    import os

    os.utime(po, ns=(1, po.stat().st_mtime_ns + 10**9))
    assert catalogue("zh", tmp_path).gettext("Loss") == "损失"  # looked at every 2 s at most
    assert catalogue("zh", tmp_path, recheck=0).gettext("Loss") == "损失值"


def test_the_app_catalogue_translates_the_shell():
    zh = catalogue("zh")
    assert zh.gettext("Presenter mode") == "演示模式"
    assert zh.gettext("Gradient descent") == "梯度下降"
    assert catalogue("en").gettext("Presenter mode") == "Presenter mode"
