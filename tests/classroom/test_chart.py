"""The class's bar chart: its texts in the reader's language, its bar labels readable."""

from classroom.chart import _lines, answers_chart
from classroom.store import Result

ZH = {
    "students": "学生人数",
    "{n} answers": "{n} 份回答",
    "`if` branch: r = y * y": "`if` 分支：r = y * y",
}


def result(labels: list[str], counts: list[int]) -> Result:
    return Result(1, "q", labels, counts, True, [i == 0 for i in range(len(labels))])


def test_the_chart_speaks_the_readers_language_and_drops_code_marks():
    shown = result(["`if` branch: r = y * y", "3"], [2, 1])
    spec = answers_chart(shown, gettext=lambda m: ZH.get(m, m)).to_dict()
    assert spec["title"] == "3 份回答"
    values = next(iter(spec["datasets"].values()))
    assert [v["answer"] for v in values] == ["if 分支：r = y * y", "3"]
    assert [v["students"] for v in values] == [2, 1]
    assert "学生人数" in str(spec)
    english = answers_chart(result(["a"], [1])).to_dict()
    assert english["title"] == "1 answer"


def test_long_labels_break_into_lines_counting_chinese_twice():
    assert _lines("short") == "short"
    assert _lines("one two three four five six", width=10) == "one two\nthree four\nfive six"
    assert _lines("边运行边定义的分支会执行", width=8) == "边运行边\n定义的分\n支会执行"
    assert all(len(line) <= 10 for line in _lines("x" * 25, width=10).split("\n"))
