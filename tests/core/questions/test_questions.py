"""The questions as data: every answer computed, following its setting; the JSON listing."""

import json
import math
import re
import subprocess
import sys

import pytest

from core.i18n import catalogue
from core.questions import all_questions, asked, by_id, for_chapter
from core.questions.gradient_descent import RACERS
from core.questions.loss_functions import ROBUST
from tests.conftest import ROOT
from tests.i18n.prose import english_prose

CHAPTERS = (
    "tensors", "autograd_graph", "modules", "gradient_descent", "loss_functions",
    "live_training", "behaviour_cloning",
)  # fmt: skip


def test_at_least_two_questions_per_chapter_and_fourteen_in_all():
    assert len(all_questions()) >= 14
    for chapter in CHAPTERS:
        assert len(for_chapter(chapter)) >= 2, chapter
    assert {q.chapter for q in all_questions()} == set(CHAPTERS)


@pytest.mark.parametrize(
    "q",
    # the two match questions play tables of games: seconds each, in the whole suite only
    [
        pytest.param(q, marks=pytest.mark.slow) if q.chapter == "behaviour_cloning" else q
        for q in all_questions()
    ],
    ids=lambda q: q.id,
)
def test_every_answer_is_computed_valid_and_right_by_itself(q):
    truth = q.answer()
    assert q.valid(truth), (q.id, truth)  # an index of a choice, or a number in range
    assert q.is_right(truth)
    assert q.solve is not None and q.applies_to(dict(q.setting))
    assert q.at({}).answer() == truth  # the same setting asked again: the same answer
    if q.kind == "choice":
        wrong = (truth + 1) % len(q.choices)
        assert not q.is_right(wrong)
    else:
        assert not q.is_right(truth + 10 * q.tolerance + 1)


def test_the_five_measured_answers_of_issue_23():
    zero = by_id("modules.forget_zero_grad")
    assert zero.choices[zero.answer()] == "lower"  # about 1.88 against 9.24
    assert by_id("modules.step_before_backward").answer() == 0.0  # nothing moves
    drop = by_id("modules.dropout_values")
    assert drop.choices[drop.answer()] == "train: only 0 and 2.0; eval: all 1.0"
    nograd = by_id("modules.eval_not_no_grad")
    assert nograd.choices[nograd.answer()].startswith("no, True")
    branch = by_id("autograd_graph.dynamic_branch")
    assert "else" in branch.choices[branch.answer()]
    assert by_id("autograd_graph.dynamic_muls").answer() == 3


def test_changing_a_setting_moves_the_answer():
    zero = by_id("modules.forget_zero_grad")
    assert zero.choices[zero.at({"loop_lr": 0.3}).answer()] == "higher"  # about 376 against 0.72
    muls = by_id("autograd_graph.dynamic_muls")
    assert muls.at({"dynamic_x": 1.0}).answer() == 4  # the if branch adds y * y
    assert muls.at({"dynamic_n": 5}).answer() == 5
    branch = by_id("autograd_graph.dynamic_branch")
    assert "if" in branch.choices[branch.at({"dynamic_x": 1.0}).answer()]
    shape = by_id("tensors.broadcast_shape")
    assert shape.choices[shape.at({"bc_b_1d_0": 1}).answer()] == "(3, 1)"
    clash = shape.at({"bc_b_nd": 2, "bc_b_2d_0": 2, "bc_b_2d_1": 4})  # (3, 1) + (2, 4)
    assert shape.choices[clash.answer()].startswith("an error")
    assert shape.at({"bc_b_1d_0": 2}).answer() == -1  # (3, 2): not among the choices
    view = by_id("tensors.view_transposed")
    assert view.answer() == 1 and view.at({"view_t": False}).answer() == 0
    assert view.at({"view_rows": 1}).answer() == 0  # one dim of size 1: view works after .t()
    ce = by_id("loss_functions.equal_logits")
    assert ce.at({"k": 4, "z3": 0.0}).answer() == pytest.approx(math.log(4))
    assert ce.answer() == pytest.approx(math.log(3))
    step = by_id("modules.step_before_backward")
    assert step.at({"loop_order": False}).answer() > 0.1  # the correct loop moves
    drop = by_id("modules.dropout_values")
    assert drop.at({"mod_p": 0.2}).answer() == -1  # 1 / 0.8 = 1.25: none of the choices
    race = by_id("gradient_descent.sgd_diverges")
    assert race.at({"kappa": 2.0}).answer() > race.answer()  # a flatter bowl tolerates more


def test_a_setting_is_matched_as_the_page_holds_it():
    race = by_id("gradient_descent.rosenbrock_race")
    page = dict(race.setting) | {"opt": ["Adam", "SGD", "RMSprop", "Momentum"], "gd_step": 5}
    assert race.applies_to(page)  # the order of the chips does not matter
    assert not race.applies_to(page | {"lr": 0.005})
    assert not race.applies_to({k: v for k, v in page.items() if k != "fn"})


@pytest.mark.slow  # seconds of the fast loop; the whole suite runs it
def test_python_m_core_questions_prints_one_json_object_a_line():
    out = subprocess.run(
        [sys.executable, "-m", "core.questions"], cwd=ROOT, capture_output=True, text=True,
        timeout=600, check=True,
    ).stdout  # fmt: skip
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == [q.id for q in all_questions()]
    for row in rows:
        q = by_id(row["id"])
        assert row["answer"] == q.answer() and row["chapter"] == q.chapter
        assert row["prompt"] == q.prompt and row["explanation"] == q.explanation
        assert row["choices"] == list(q.choices) and row["kind"] == q.kind


def test_every_question_is_asked_by_its_chapters_page():
    for q in all_questions():
        page = (ROOT / "app_pages" / f"{q.chapter}.py").read_text()
        assert f'"{q.id}"' in page or f'"{q.id}",' in page, q.id


def test_a_translated_copy_shares_the_answer_computed_once():
    calls = []

    def solve(setting: dict) -> int:
        calls.append(setting["x"])
        return 1

    q = asked(
        solve,
        {"x": 3},
        id="testing.translated",
        chapter="testing",
        prompt="Which one?",
        kind="choice",
        choices=("left", "right"),
        explanation="The second.",
    )
    shout = q.translated(str.upper)
    assert (shout.prompt, shout.choices, shout.explanation) == (
        "WHICH ONE?", ("LEFT", "RIGHT"), "THE SECOND.",
    )  # fmt: skip
    assert (q.prompt, q.choices) == ("Which one?", ("left", "right"))  # the original unchanged
    assert shout.answer() == q.answer() == 1 and calls == [3]  # computed once, for both
    assert shout.at({"x": 4}).answer() == 1 and calls == [3, 4]  # another setting: its own
    assert q.translated() == q  # English by default


@pytest.mark.parametrize("q", all_questions(), ids=lambda q: q.id)
def test_every_question_reads_in_chinese(q):
    zh = q.translated(catalogue("zh").gettext)
    for english, chinese in [(q.prompt, zh.prompt), (q.explanation, zh.explanation)]:
        assert chinese != english and re.search(r"[\u4e00-\u9fff]", chinese), english
        assert not english_prose(chinese), chinese
    for english, chinese in zip(q.choices, zh.choices, strict=True):
        assert not english_prose(chinese), chinese
        if re.search(r"[a-z]{3}", english.replace("`", "")) and english not in RACERS + ROBUST:
            assert re.search(r"[\u4e00-\u9fff]", chinese), english  # prose, not a shape or name
    assert zh.answer() == q.answer() and zh.shown(zh.answer()) != "?"


@pytest.mark.parametrize("area", ["questions", "shell"])
def test_chinese_bold_closes_before_full_width_punctuation(area):
    """`**答对了。**由` is not bold in Markdown (a closing `**` after punctuation needs a space
    or punctuation after it): the catalogue writes `**答对了**。由`."""
    from babel.messages.pofile import read_po

    from core.i18n import po_path

    with open(po_path("zh", area), "rb") as f:
        strings = [m.string for m in read_po(f) if m.id and isinstance(m.string, str)]

    def closes_after_punctuation(text: str) -> bool:
        closers = [m.start() for m in re.finditer(r"\*\*", text)][1::2]
        return any(i and text[i - 1] in "，。：；！？、" for i in closers)

    assert not [s for s in strings if closes_after_punctuation(s)]
    assert closes_after_punctuation("**答对了。**") and not closes_after_punctuation("**答对了**。")
