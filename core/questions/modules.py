"""The Modules chapter's questions: the slow loop's classic bugs, train() and eval().

A loop setting is the page's loop tab as a link holds it (`loop_lr`, `loop_batch`, `loop_seed`
and the four bug toggles); the answers run core.modules.slow_loop to its end, the run the page
steps through, so a change to that loop moves these answers with it.
"""

import torch

from core.i18n import N_
from core.modules import modes, slow_loop
from core.questions import asked

BUG_KEYS = {
    "loop_zero": "forget_zero_grad",
    "loop_backward": "forget_backward",
    "loop_order": "step_before_backward",
    "loop_nograd": "eval_without_no_grad",
}
LOOP_DEFAULTS = {"mod_tab": "The loop, slow", "loop_lr": 0.1, "loop_batch": 4, "loop_seed": 0} | {
    key: False for key in BUG_KEYS
}


def loop_config(setting: dict) -> slow_loop.LoopConfig:
    """The slow loop's config for a loop-tab setting (missing keys: the tab's defaults)."""
    s = LOOP_DEFAULTS | setting
    bugs = slow_loop.Bugs(**{field: bool(s[key]) for key, field in BUG_KEYS.items()})
    return slow_loop.LoopConfig(
        float(s["loop_lr"]), int(s["loop_batch"]), int(s["loop_seed"]), bugs
    )


def finished_loop(setting: dict) -> slow_loop.SlowLoop:
    """The slow loop at `setting`, run through every phase of its two epochs."""
    run = slow_loop.SlowLoop(loop_config(setting))
    while not run.done:
        run.advance()
    return run


def full_mse(run: slow_loop.SlowLoop) -> float:
    """The finished run's mean squared error on all eight training points."""
    with torch.no_grad():
        return float(((run.model(run.X) - run.Y) ** 2).mean())


def mse_after(setting: dict) -> float:
    """Full-data MSE after the two epochs at `setting`."""
    return full_mse(finished_loop(setting))


def _forgot_zero_grad(setting: dict) -> int:
    correct = {**setting, "loop_zero": False}
    buggy, right = mse_after(setting), mse_after(correct)
    return 0 if buggy < right else 1


def moved(setting: dict) -> float:
    """How far the parameters got from where they started (largest absolute change)."""
    run = finished_loop(setting)
    start, end = run.history[0].params, run.last.params
    return max(abs(end[k] - start[k]) for k in start)


def _eval_requires_grad(setting: dict) -> int:
    run = finished_loop(setting)
    last = next(s for s in reversed(run.history) if s.phase == "evaluate")
    return 1 if last.eval_requires_grad else 0


DROPOUT_CHOICES = (
    N_("train: only 0 and 2.0; eval: all 1.0"),
    N_("train: only 0 and 1.0; eval: all 1.0"),
    N_("train: only 0 and 1.0; eval: all 0.5"),
    N_("train: only 0 and 2.0; eval: 0 and 2.0 again"),
)


def dropout_values(setting: dict) -> tuple[set[float], set[float]]:
    """The distinct values Dropout(p) puts out on ones(4, 8) in train mode, and in eval mode."""
    r = modes.modes(setting["mod_p"], setting["mod_batch"], setting["mod_bn"], setting["mod_seed"])
    train = {
        round(v, 4)
        for k, m in r.masks.items()
        if k.startswith("train")
        for v in m.flatten().tolist()
    }
    return train, {round(v, 4) for v in r.masks["eval"].flatten().tolist()}


def _dropout(setting: dict) -> int:
    train, evaluated = dropout_values(setting)
    options = [
        ({0.0, 2.0}, {1.0}),
        ({0.0, 1.0}, {1.0}),
        ({0.0, 1.0}, {0.5}),
        ({0.0, 2.0}, {0.0, 2.0}),
    ]
    return options.index((train, evaluated)) if (train, evaluated) in options else -1


LOOP = "The loop, slow"
QUESTIONS = [
    asked(
        _forgot_zero_grad,
        {"mod_tab": LOOP, "loop_zero": True, "loop_lr": 0.01, "loop_batch": 2, "loop_seed": 0},
        id="modules.forget_zero_grad",
        chapter="modules",
        prompt=N_(
            "The loop forgets `optimizer.zero_grad()` (lr 0.01, batch 2, seed 0). After two "
            "epochs, is the MSE on all eight points higher or lower than the correct loop's?"
        ),
        kind="choice",
        choices=(N_("lower"), N_("higher")),
        explanation=(
            N_(
                "Lower, here: without zero_grad, .grad is the sum of every batch's gradient so far, "
                "so each step is several times larger. At lr 0.01 the correct loop is too timid and "
                "the bug acts like a bigger learning rate (about 1.9 against 9.2). At lr 0.3 the "
                "same bug blows up (hundreds against under 1). A bug can look like a help."
            )
        ),
    ),
    asked(
        moved,
        {"mod_tab": LOOP, "loop_order": True, "loop_lr": 0.1, "loop_batch": 4, "loop_seed": 0},
        id="modules.step_before_backward",
        chapter="modules",
        prompt=N_(
            "The loop calls `optimizer.step()` before `loss.backward()` (lr 0.1, batch 4). "
            "After two epochs, how far have the weights and the bias moved (largest change)?"
        ),
        kind="number",
        tolerance=0.005,
        low=0.0,
        high=100.0,
        explanation=(
            N_(
                "Not at all: zero_grad() sets .grad to None, so step() finds no gradient and skips "
                "every parameter; backward() then fills .grad, and the next zero_grad() throws it "
                "away before any step sees it."
            )
        ),
    ),
    asked(
        _dropout,
        {
            "mod_tab": ".train() & .eval()",
            "mod_p": 0.5,
            "mod_batch": 4,
            "mod_bn": True,
            "mod_seed": 0,
        },
        id="modules.dropout_values",
        chapter="modules",
        prompt=N_(
            "`nn.Dropout(p=0.5)` on `torch.ones(4, 8)`: which values come out in train mode, "
            "and in eval mode?"
        ),
        kind="choice",
        choices=DROPOUT_CHOICES,
        explanation=(
            N_(
                "In train mode Dropout zeroes each value with probability p and scales the "
                "survivors by 1 / (1 − p) = 2, so the expected value stays 1. In eval mode it "
                "passes the input through untouched: all 1.0."
            )
        ),
    ),
    asked(
        _eval_requires_grad,
        {"mod_tab": LOOP, "loop_nograd": True, "loop_lr": 0.1, "loop_batch": 4, "loop_seed": 0},
        id="modules.eval_not_no_grad",
        chapter="modules",
        prompt=N_(
            "Evaluation drops `with torch.no_grad():` and relies on `model.eval()`. Is "
            "`dev_out.requires_grad` False?"
        ),
        kind="choice",
        choices=(
            N_("yes, False: eval() turns autograd off"),
            N_("no, True: a graph is still recorded"),
        ),
        explanation=(
            N_(
                "`model.eval()` changes how Dropout and BatchNorm behave; it does not touch "
                "autograd. Without torch.no_grad() the output has a grad_fn and keeps a graph "
                "(memory) nobody will use."
            )
        ),
    ),
]
