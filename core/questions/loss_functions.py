"""The Loss functions chapter's questions: cross-entropy of equal logits; the outlier.

A setting is the page's link (`k`, `target`, `z0`.., `ox`, `oy`, `delta`); the answers call
core.losses, whose numbers the page prints and draws.
"""

from core import losses as lf
from core.i18n import N_
from core.questions import asked

ROBUST = ("MSE", "L1", "Huber")


def _equal_logits(setting: dict) -> float:
    logits = [float(setting[f"z{i}"]) for i in range(int(setting["k"]))]
    return float(lf.softmax_cross_entropy(logits, int(setting["target"]))["loss"])


def slopes(setting: dict, outlier_y: float | None = None) -> dict[str, float]:
    """Each loss's fitted slope with the outlier at the setting (or at height `outlier_y`)."""
    oy = float(setting["oy"]) if outlier_y is None else outlier_y
    x, y = lf.outlier_data(oy, float(setting["ox"]))
    return {n: w for n, (w, _) in lf.fit_lines(x, y, ROBUST, float(setting["delta"])).items()}


def _least_moved(setting: dict) -> int:
    on_line = 1.0 + 2.0 * float(setting["ox"])  # the outlier put back on the clean line
    far, clean = slopes(setting), slopes(setting, on_line)
    return ROBUST.index(min(ROBUST, key=lambda n: abs(far[n] - clean[n])))


QUESTIONS = [
    asked(
        _equal_logits,
        {"k": 3, "target": 0, "z0": 0.0, "z1": 0.0, "z2": 0.0},
        id="loss_functions.equal_logits",
        chapter="loss_functions",
        prompt=N_("Three classes, every logit 0: what is `nn.CrossEntropyLoss` for true class 0?"),
        kind="number",
        tolerance=0.05,
        low=0.0,
        high=100.0,
        explanation=(
            N_(
                "Equal logits give softmax 1/3 each, so the loss is −log(1/3) = log 3 ≈ 1.099, "
                "not 0 and not 1/3. An untrained classifier over C classes starts near log C: a "
                "first loss far from it hints at a bug."
            )
        ),
    ),
    asked(
        _least_moved,
        {"ox": 0.8, "oy": 10.0, "delta": 1.0},
        id="loss_functions.outlier",
        chapter="loss_functions",
        prompt=N_(
            "Nine points near y = 1 + 2x; one point is moved far up to (0.8, 10). Which fitted "
            "line's slope moves least?"
        ),
        kind="choice",
        choices=ROBUST,
        explanation=(
            N_(
                "L1. Its gradient is ±1 however far the point is, so one outlier pulls as hard as "
                "one ordinary point. MSE's pull grows with the distance (its slope nearly doubles); "
                "Huber is MSE near the line and L1 beyond δ, so it moves in between."
            )
        ),
    ),
]
