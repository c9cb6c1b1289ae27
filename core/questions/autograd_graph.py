"""The autograd chapter's questions: define-by-run records only the branch and loop that ran.

The setting is the page's dynamic preset: the input x and the loop count n. The answers
evaluate the preset's program and trace its graph, as the page does before drawing it.
"""

from collections import Counter

import torch

from core.expressions import evaluate
from core.graph import backward, presets
from core.i18n import N_
from core.questions import asked

BRANCHES = (N_("the `if` branch: r = y * y"), N_("the `else` branch: r = exp(y) - 1"))


def recorded_ops(setting: dict) -> Counter:
    """The op nodes the dynamic preset records at the setting's x and n, counted by name."""
    program = presets.with_loop_count(presets.DYNAMIC.program, setting["dynamic_n"])
    x = torch.tensor(float(setting["dynamic_x"]), requires_grad=True)
    w = torch.tensor(float(presets.DYNAMIC.variables["w"][0]), requires_grad=True)
    results = evaluate(program, {"x": x, "w": w})
    trace = backward.trace_backward(results["r"], {"x": x, "w": w, **results})
    return Counter(d["label"] for _, d in trace.graph.nodes(data=True) if d["kind"] == "op")


def _branch(setting: dict) -> int:
    return 1 if recorded_ops(setting)["ExpBackward0"] else 0


def _muls(setting: dict) -> int:
    return recorded_ops(setting)["MulBackward0"]


DYNAMIC = {"preset": "dynamic", "dynamic_x": -1.0, "dynamic_n": 3}
QUESTIONS = [
    asked(
        _branch,
        DYNAMIC,
        id="autograd_graph.dynamic_branch",
        chapter="autograd_graph",
        prompt=N_(
            "The define-by-run preset at x = −1, n = 3 (w = 0.8): which branch runs and "
            "ends up in r's graph?"
        ),
        kind="choice",
        choices=BRANCHES,
        explanation=(
            N_(
                "y = x · w · w · w = −0.512, so sum(y) > 0 is False and the `else` branch runs. "
                "Only the ops that ran are recorded: the graph has ExpBackward0 and no trace of the "
                "`if` (the comparison itself leaves no node)."
            )
        ),
    ),
    asked(
        _muls,
        DYNAMIC,
        id="autograd_graph.dynamic_muls",
        chapter="autograd_graph",
        prompt=N_(
            "Same program, x = −1, n = 3: how many `MulBackward0` nodes does r's graph have?"
        ),
        kind="number",
        tolerance=0.0,
        low=0,
        high=20,
        explanation=(
            N_(
                "Each pass of `for i in range(3)` records one `y = y * w`: 3 MulBackward0. The "
                "`else` branch adds exp and a subtraction, no multiplication (the `if` branch "
                "would have added a fourth, y * y)."
            )
        ),
    ),
]
