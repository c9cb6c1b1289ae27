"""Modules & the training loop: nn.Module's anatomy, devices, modes, data, the loop, saving.

Each tab is short: its widgets, one or two core.modules calls, a picture first, then the
numbers and the code. The slow-motion loop's state is a core `SlowLoop` kept in this
visitor's session; the page only presses its buttons.
"""

import html

import pandas as pd
import streamlit as st
from torch import nn

from app_pages import i18n, predict, ui
from app_pages.i18n import _, ngettext
from core.charts import modules as charts
from core.i18n import N_
from core.modules import anatomy as an
from core.modules import devices, loading, modes, saving, slow_loop
from core.modules.slow_loop import Bugs, LoopConfig, SlowLoop
from core.shareable import Param

TABS = [N_("Anatomy"), N_("Devices & dtypes"), ".train() & .eval()", "Dataset & DataLoader",
        N_("The loop, slow"), N_("Save & load")]  # fmt: skip
# The shareable setup: the open tab and its settings, e.g. ?mod_tab=Anatomy&mod_forget=1
TAB = Param("mod_tab", TABS[0], options=tuple(TABS))
LOOP_KEY = "modules_loop"  # this visitor's SlowLoop in st.session_state


def publish(params: list[Param]) -> None:
    """The open tab and its settings into the address bar (a shareable link)."""
    ui.publish_settings([TAB, *params])


# the tables' column headers, translated where shown (core.modules names them in English)
COLUMNS = (
    N_("name"), N_("shape"), N_("numbers"), N_("attribute"), N_("moved by SGD"), N_("device"),
    N_("available"), N_("what"), N_("tensor"), N_("kind"), N_("dtype before"),
    N_("dtype after"), N_("index"), N_("parameter"), N_("value"), N_("this batch's gradient"),
    N_("sum of batch gradients since zero_grad"),
)  # fmt: skip


def sep() -> str:
    """What goes between two sentences: a space in English, nothing after Chinese punctuation."""
    return "" if i18n.language() == "zh" else " "


def headed(rows: list[dict]) -> list[dict]:
    """The rows with their column headers in the visitor's language."""
    return [{_(k): v for k, v in row.items()} for row in rows]


def table(rows, height: int | None = None, **kw) -> None:
    """A small table of plain rows, no index: a table that wraps (never a column cut); a
    long one (given a `height`) scrolls in a data grid."""
    if height is None:
        ui.table(pd.DataFrame(headed(rows)))
    else:
        st.dataframe(pd.DataFrame(headed(rows)), hide_index=True, height=height, **kw)


# ------------------------------------------------------------------------------ anatomy
ANATOMY = [
    Param("mod_xdim", 5, 1, an.MAX_DIM),
    Param("mod_ydim", 2, 1, an.MAX_DIM),
    Param("mod_steps", 3, 1, 10),
    Param("mod_forget", False),
    Param("mod_sub", an.SUBMODULE_KINDS[0], options=an.SUBMODULE_KINDS),
]


def anatomy_tab() -> None:
    ui.load_settings(ANATOMY)
    c = st.columns([2, 2, 2, 3], vertical_alignment="bottom")
    x_dim = c[0].slider("x_dim", 1, an.MAX_DIM, key="mod_xdim")
    y_dim = c[1].slider("y_dim", 1, an.MAX_DIM, key="mod_ydim")
    steps = c[2].slider(_("SGD steps"), 1, 10, key="mod_steps")
    forget = c[3].toggle(
        _("Forget nn.Parameter on b"),
        key="mod_forget",
        help=_("`self.b = torch.randn(y_dim)`: a plain tensor attribute instead of a Parameter."),
    )
    publish(ANATOMY)
    a = an.anatomy(x_dim, y_dim, forget, steps)
    left, right = st.columns([1, 1], gap="medium")
    # an.anatomy is seeded: the same settings make the same run, so they key its chart
    ui.chart(
        ("modules steps", x_dim, y_dim, forget, steps),
        lambda: charts.parameter_steps_chart(a.history, forget, gettext=i18n.translator()),
        left,
        style=False,
        width="stretch",
    )
    with right:
        st.markdown(_("**What the module knows about**"))
        table(
            [{"attribute": r["attribute"], "in parameters()": r["in parameters()"],
              "in state_dict()": r["in state_dict()"], "moved by SGD": r[f"changed by {steps} SGD steps"]}
             for r in a.attributes],  # headers translated by table()
            width="stretch",
        )  # fmt: skip
        if forget:
            st.warning(
                _(
                    "`b` is not a Parameter: `parameters()` does not list it, so the optimiser "
                    "never sees it; the `state_dict` leaves it out too."
                )
                + sep()
                + _("Its numbers stay exactly as they were."),
                icon=":material/bug_report:",
            )
        else:
            ui.explain(_("Both are `nn.Parameter`s: registered by assignment, trained by SGD."))
    class_code = a.code.split("\ntorch.manual_seed")[0].split("from torch import nn\n\n")[1]
    st.code(class_code, language="python")
    left, right = st.columns([1, 1], gap="medium")
    left.code(
        f">>> print(model)\n{a.printed}\n>>> pred = model(torch.randn({x_dim}))\n"
        f">>> pred.shape\n{a.pred.shape}",
        language="python",
    )
    with right:
        table(a.parameters, width="stretch")
    ui.explain(
        _("`print(model)` lists *submodules*, not parameters: this module has none.")
        + sep()
        + _("Build one from modules and they appear, with dotted names:")
    )
    kind = st.segmented_control(
        _("Submodules"), an.SUBMODULE_KINDS, format_func=_, required=True, key="mod_sub"
    )
    sub = an.submodules(kind or an.SUBMODULE_KINDS[0], x_dim, y_dim)
    st.code(f">>> print(model)\n{sub.printed}", language="python")
    left, right = st.columns([1, 1], gap="medium")
    left.code(f">>> list(model.state_dict())\n{sub.state_keys}", language="python", wrap_lines=True)
    with right:
        table(sub.parameters, width="stretch")
    ui.show_code(a.code, _("Show the code"))
    ui.show_code(sub.code, _("Show the code: submodules"))


# ------------------------------------------------------------------------------ devices
DEVICES = [
    Param("mod_to", "float64", options=tuple(devices.DTYPES)),
    Param("mod_layer", "float32", options=devices.LAYER_DTYPES),
    Param("mod_input", "float64", options=tuple(devices.DTYPES)),
    Param("mod_device", "cpu", options=devices.INPUT_DEVICES),
]


def devices_tab() -> None:
    ui.load_settings(DEVICES)
    found = devices.available_devices(gettext=i18n.translator())
    gpus = [d["device"] for d in found if d["available"] and d["device"] != "cpu"]
    st.markdown(
        _("**This server computes on: {devices}.**").format(devices=", ".join(["CPU", *gpus]))
        + ("" if gpus else sep() + _("No GPU: a deployment like this one is CPU only."))
        + sep()
        + _("Nothing in this app needs a GPU; the code below runs anywhere.")
    )
    table(found)
    st.markdown(_("**`.to()` casts parameters and buffers**"))
    left, right = st.columns([1, 3], gap="medium")
    dtype = left.selectbox("model.to(dtype)", list(devices.DTYPES)[:4], key="mod_to")
    with left:
        ui.explain(
            _(
                "Parameters and floating-point buffers follow; the integer buffer "
                "`num_batches_tracked` keeps its dtype; the plain attribute `scale` is not "
                "moved at all (another reason to register tensors: `register_buffer`)."
            )
        )
    moved = [{**row, "kind": _(row["kind"])} for row in devices.moved(dtype)]
    ui.table(pd.DataFrame(headed(moved)), box=right)
    st.markdown(_("**A mismatch is an error, not a silent cast**"))
    c = st.columns([1, 1, 1, 3], vertical_alignment="bottom")
    layer = c[0].selectbox(_("layer dtype"), devices.LAYER_DTYPES, key="mod_layer")
    dt = c[1].selectbox(_("input dtype"), list(devices.DTYPES), key="mod_input")
    dev = c[2].selectbox(_("input device"), devices.INPUT_DEVICES, key="mod_device")
    out = devices.call(layer, dt, dev)
    with c[3]:
        if out.error:  # PyTorch's own words, shown as it printed them
            st.warning(
                _("**RuntimeError** (caught): `{error}`").format(error=out.error),
                icon=":material/bug_report:",
            )
        else:
            st.success(
                _("Works: the output is `{dtype}`.").format(dtype=out.out_dtype),
                icon=":material/check:",
            )
    ui.explain(
        _(
            "No GPU is needed to see a device mismatch: the `meta` device (shapes, no data) "
            "raises the same kind of error a CUDA tensor meeting a CPU layer would."
        )
    )
    publish(DEVICES)
    ui.show_code(devices.MOVE_CODE.format(dtype=f"torch.{dtype}"), _("Show the code: .to()"))
    ui.show_code(out.code, _("Show the code: the mismatch"))


# ------------------------------------------------------------------------------ modes
MODES = [
    Param("mod_p", 0.5, 0.0, 0.9),
    Param("mod_batch", 4, 1, 8),
    Param("mod_bn", True),
    Param("mod_seed", 0, 0, 9999),
]


def modes_tab() -> None:
    ui.load_settings(MODES)
    c = st.columns([3, 3, 2, 2], vertical_alignment="bottom")
    p = c[0].slider(_("Dropout p"), 0.0, 0.9, step=0.1, key="mod_p")
    batch = c[1].slider(_("Batch size"), 1, 8, key="mod_batch")
    bn = c[2].toggle("BatchNorm1d", key="mod_bn")
    seed = int(c[3].number_input(_("Seed"), 0, 9999, key="mod_seed"))
    publish(MODES)
    r = modes.modes(round(p, 2), batch, bn, seed)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        if r.error:
            st.warning(
                _("**train mode refused** (ValueError, caught): `{error}`.").format(error=r.error)
                + sep()
                + _(
                    "BatchNorm needs at least two samples to estimate a batch's mean and "
                    "variance; eval mode uses its running averages and takes a batch of one."
                ),
                icon=":material/bug_report:",
            )
        st.altair_chart(charts.outputs_chart(r.outputs, gettext=i18n.translator()), width="stretch")
    with right:
        same = modes.same_twice(r)
        for mode in ("train", "eval"):
            if same[mode] is not None:
                st.metric(
                    _("{mode}(): same output twice?").format(mode=mode),
                    _("yes") if same[mode] else _("no"),
                )
        if r.running_mean:
            moved = r.running_mean["before"] != r.running_mean["after"]
            st.markdown(
                _("BatchNorm's `running_mean` moved during the train-mode calls; eval mode only reads it.")
                if moved else _("BatchNorm's `running_mean` did not move: train mode never ran.")
            )  # fmt: skip
    if predict.ask("modules.dropout_values"):
        chart = charts.masks_chart(r.masks, round(p, 2), gettext=i18n.translator())
        st.altair_chart(chart, width="content")
    ui.show_code(r.code, _("Show the code"))


# ------------------------------------------------------------------------------ data
DATA = [
    Param("dl_n", 10, 4, loading.MAX_SAMPLES),
    Param("dl_batch", 4, 1, 12),
    Param("dl_epochs", 3, 1, loading.MAX_EPOCHS),
    Param("dl_shuffle", True),
    Param("dl_drop", False),
    Param("dl_seed", 0, 0, 9999),
]


def data_tab() -> None:
    ui.load_settings(DATA)
    c = st.columns([3, 3, 2, 2, 2], vertical_alignment="bottom")
    n = c[0].slider(_("Samples"), 4, loading.MAX_SAMPLES, key="dl_n")
    batch_size = c[1].slider("batch_size", 1, 12, key="dl_batch")
    epochs = c[2].slider(_("Epochs"), 1, loading.MAX_EPOCHS, key="dl_epochs")
    shuffle = c[3].toggle("shuffle", key="dl_shuffle")
    drop_last = c[3].toggle("drop_last", key="dl_drop")
    seed = int(c[4].number_input(_("Seed"), 0, 9999, key="dl_seed"))
    publish(DATA)
    r = loading.batches(n, min(batch_size, n), shuffle, drop_last, seed, epochs)
    chart = charts.batches_chart(r.rows, r.batches_per_epoch, gettext=i18n.translator())
    st.altair_chart(chart, width="stretch")
    left, right = st.columns([3, 2], gap="medium")
    with left:
        if not ui.presenter_mode():  # the projector keeps the picture and the shapes
            table(loading.dataset_table(n), height=min(35 * (n + 1) + 3, 250))
    with right:
        st.metric(_("Batches per epoch: `len(loader)`"), r.batches_per_epoch)
        st.markdown(_("**A collated batch** (the loader stacks the samples):"))
        st.code("\n".join(f"{k}: {v}" for k, v in r.shapes.items()), language="text")
        ui.explain(
            _(
                "The same seed gives the same order every time you reload; each epoch draws a "
                "new order from the generator."
            )
            + sep()
            + _("With `drop_last`, a short last batch is left out (grey).")
        )
    ui.show_code(r.code, _("Show the code"))


# ------------------------------------------------------------------------------ the loop
LOOP = [
    Param("loop_lr", 0.1, options=slow_loop.LRS),
    Param("loop_batch", 4, options=slow_loop.BATCH_SIZES),
    Param("loop_seed", 0, 0, 9999),
    Param("loop_zero", False),
    Param("loop_backward", False),
    Param("loop_order", False),
    Param("loop_nograd", False),
]
BUG_LABELS = {
    "loop_zero": (N_("Forget zero_grad()"), "forget_zero_grad"),
    "loop_backward": (N_("Forget backward()"), "forget_backward"),
    "loop_order": (N_("step() before backward()"), "step_before_backward"),
    "loop_nograd": (N_("Evaluate without no_grad()"), "eval_without_no_grad"),
}
LOOP_QUESTIONS = (
    "modules.forget_zero_grad",
    "modules.step_before_backward",
    "modules.eval_not_no_grad",
)
MARK = "background: rgba(204, 121, 167, 0.30); border-left: 0.3rem solid #CC79A7;"


def scaffold_html(lines: list[tuple[str, str]], running: str | None) -> str:
    """The scaffold as a code block with the running line marked by colour, not by a comment."""
    rows = []
    for key, text in lines:
        style = MARK if key == running else "border-left: 0.3rem solid transparent;"
        if key.startswith("forgot"):
            style += " color: #5F5F5F; font-style: italic;"
        rows.append(
            f'<div style="{style} padding: 0 0.4rem;">{html.escape(text) or "&nbsp;"}</div>'
        )
    return (
        '<pre style="font-size: 0.78rem; line-height: 1.45; background: #f6f6f9; '
        "padding: 0.6rem 0; border-radius: 0.4rem; margin: 0; white-space: pre-wrap; "
        'overflow-wrap: anywhere;">' + "".join(rows) + "</pre>"
    )


def current_loop(cfg: LoopConfig) -> SlowLoop:
    """This visitor's slow-motion run, fresh when a setting changed."""
    run = st.session_state.get(LOOP_KEY)
    if run is None or run.cfg != cfg:
        run = SlowLoop(cfg)
        st.session_state[LOOP_KEY] = run
    return run


def loop_config() -> LoopConfig:
    """The slow loop's settings as the widgets (or a link, or the defaults) hold them."""
    state = st.session_state
    bugs = Bugs(**{field: bool(state.get(k, False)) for k, (_label, field) in BUG_LABELS.items()})
    return LoopConfig(state.get("loop_lr", 0.1), state.get("loop_batch", 4),
                      int(state.get("loop_seed", 0)), bugs)  # fmt: skip


def _grad_table(s: slow_loop.Snapshot) -> list[dict]:
    def fmt(d, name):
        return "None" if d is None else f"{d[name]:+.4f}"

    return [  # headers translated by table()
        {"parameter": name, "value": f"{s.params[name]:+.4f}", ".grad": fmt(s.grads, name),
         "this batch's gradient": fmt(s.batch_grad, name),
         "sum of batch gradients since zero_grad": fmt(s.grad_sum, name)}
        for name in slow_loop.PARAM_NAMES
    ]  # fmt: skip


def _consequence(s: slow_loop.Snapshot, cfg: LoopConfig) -> str | None:
    """The bug's visible consequence at this phase, in words (None: nothing to point at)."""
    bugs = cfg.bugs
    if s.phase == "evaluate":
        if s.eval_requires_grad:
            return (
                _(
                    "`dev_out.requires_grad = True, grad_fn = {grad_fn}`: a graph was built for "
                    "nothing, holding memory."
                ).format(grad_fn=s.eval_grad_fn)
                + sep()
                + _("Wrap evaluation in `torch.no_grad()`.")
            )
        return None
    if s.note:
        return _("{note} (the parameters did not move).").format(note=_(s.note))
    if bugs.forget_zero_grad and s.phase == "backward" and s.step > 0:
        o = slow_loop.zero_grad_outcome(cfg)
        return (
            _(
                "`.grad` was not cleared: it now holds the sum of every batch's gradient since "
                "the last clear (compare the last two columns), like momentum that never decays, "
                "so the steps grow."
            )
            + sep()
            + _(
                "At lr {lr}, batch {batch}, seed {seed}, the full-data MSE after {epochs} epochs "
                "is {forgot:.4g} without `zero_grad()` and {correct:.4g} with it ({start:.4g} "
                "untrained): {verdict}."
            ).format(
                lr=cfg.lr,
                batch=cfg.batch_size,
                seed=cfg.seed,
                epochs=slow_loop.EPOCHS,
                forgot=o.forgot,
                correct=o.correct,
                start=o.start,
                verdict=o.words(gettext=i18n.translator()),
            )  # fmt: skip
        )
    if bugs.forget_backward and s.phase == "step":
        return _("`.grad` is None: `backward()` never ran, so `step()` moved nothing.")
    return None


def loop_tab() -> None:
    ui.load_settings(LOOP)
    bugs = st.container(horizontal=True)  # wraps rather than truncating the labels
    for key, (label, _field) in BUG_LABELS.items():
        bugs.toggle(_(label), key=key)
    c = st.columns([3, 2, 1], vertical_alignment="bottom")
    c[0].select_slider(_("Learning rate"), slow_loop.LRS, key="loop_lr")
    c[1].select_slider(_("Batch size (8 samples)"), slow_loop.BATCH_SIZES, key="loop_batch")
    c[2].number_input(_("Seed"), 0, 9999, key="loop_seed")
    publish(LOOP)
    if not predict.ask(*LOOP_QUESTIONS):
        return
    cfg = loop_config()
    run = current_loop(cfg)
    limit = max(
        1.0,
        *(abs(v) for snap in run.history for d in (snap.params, snap.grads, snap.batch_grad)
          if d for v in d.values()),
    )  # fmt: skip
    left, right = st.columns([1, 1], gap="medium")
    # the buttons and the phase line beside the chart, above the code: the picture starts right
    # under the settings (one projected screen)
    b = right.container(horizontal=True, vertical_alignment="center")
    # callbacks: the click changes the run before the buttons are drawn (Next greys out at once)
    b.button(_("Next phase"), key="loop_next", type="primary", icon=":material/skip_next:",
             disabled=run.done, on_click=run.advance)  # fmt: skip
    b.button(_("Finish the batch"), key="loop_batch_end", icon=":material/fast_forward:",
             disabled=run.done, on_click=run.to_batch_end)  # fmt: skip
    b.button(_("Reset"), key="loop_reset", icon=":material/restart_alt:", on_click=run.reset)
    s = run.last
    b.markdown(
        _("Phase {phase} / {phases} · epoch {epoch} / {epochs} · batch {batch} · steps {steps}")
        .format(phase=len(run.history) - 1, phases=run.total_phases, epoch=s.epoch + 1,
                epochs=slow_loop.EPOCHS, batch=s.batch + 1, steps=s.step)
        + (" · " + _("**finished**") if run.done else "")
    )  # fmt: skip
    with left:
        chart = charts.loop_chart(s.params, s.grads, s.batch_grad, limit, gettext=i18n.translator())
        st.altair_chart(chart, width="stretch")
        m = st.columns(2)
        m[0].metric(_("loss"), "–" if s.loss is None else f"{s.loss:.4f}")
        m[1].metric("out.shape", "–" if s.out_shape is None else str(s.out_shape))
    with right:
        st.html(scaffold_html(slow_loop.scaffold(cfg.bugs, cfg.lr), s.phase))
        if s.phase in slow_loop.WORDS:
            words = _("**{phase}**: {words}").format(
                phase=s.phase, words=_(slow_loop.WORDS[s.phase])
            )
        else:
            words = _("**start**: press *Next phase* to run the first line.")
        st.markdown(words)
        consequence = _consequence(s, cfg)
        if consequence:
            st.warning(consequence, icon=":material/bug_report:")
    table(_grad_table(s), width="stretch")
    ui.show_code(slow_loop.code(cfg), _("Show the code: the whole loop, runnable"))


# ------------------------------------------------------------------------------ saving
SAVE = [Param("save_seed", 0, 0, 9999)]


def save_tab() -> None:
    ui.load_settings(SAVE)
    run = current_loop(loop_config())
    steps = run.last.step
    ui.explain(
        ngettext(
            "The model from *{tab}* as it stands ({steps} optimiser step), saved to bytes in "
            "memory and loaded into a freshly built `nn.Linear(2, 1)`.",
            "The model from *{tab}* as it stands ({steps} optimiser steps), saved to bytes in "
            "memory and loaded into a freshly built `nn.Linear(2, 1)`.",
            steps,
        ).format(tab=_("The loop, slow"), steps=steps)
    )
    seed = int(st.number_input(_("Seed of the test inputs"), 0, 9999, key="save_seed"))
    publish(SAVE)
    r = saving.round_trip(run.model, lambda: nn.Linear(2, 1), seed=seed)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        chart = charts.predictions_chart(r.original, r.loaded, gettext=i18n.translator())
        st.altair_chart(chart, width="stretch")
    with right:
        st.metric(_("Same predictions, to the bit?"), _("yes") if r.equal else _("no"))
        st.code(f">>> list(state)\n{r.keys}\n# {r.n_bytes} bytes", language="python")
        st.download_button(
            _("Download the `state_dict`"),
            saving.state_dict_bytes(run.model),
            file_name="linear_state_dict.pt",
            mime="application/octet-stream",
            key="save_download",
            icon=":material/download:",
            on_click="ignore",
        )
    st.markdown(
        _(
            "**Why `weights_only=True`:** a `.pt` file is a pickle, and loading a pickle can "
            "call any function it names."
        )
        + sep()
        + _(
            "`weights_only=True`, `torch.load`'s default since PyTorch 2.6, rebuilds only "
            "tensors and plain containers, and refuses the rest."
        )
        + sep()
        + _("What it said here:")
    )
    for i, (name, message) in enumerate(saving.refusals().items()):
        lines = saving.key_lines(message, default_line=i == 0)  # the default's line once
        st.code(f"# {_(name)}\n{_(lines)}", language="text", wrap_lines=True)
    loaded, same = saving.allowlisted()
    allowed = (
        _(
            "A class you trust can be allowed by name, as the message says: under "
            "`torch.serialization.safe_globals([nn.Linear])`, `weights_only=True` loaded the "
            "whole model here as a `{loaded}` with the same weights."
        )
        if same
        else _(
            "A class you trust can be allowed by name, as the message says: under "
            "`torch.serialization.safe_globals([nn.Linear])`, `weights_only=True` loaded the "
            "whole model here as a `{loaded}`, but with different weights."
        )
    )
    st.markdown(allowed.format(loaded=loaded))
    ui.explain(
        _(
            "Still, save the **state_dict** (names → tensors), not the whole model: "
            "`torch.save(model)` pickles the class by its import path, so it breaks when the "
            "code moves."
        )
        + sep()
        + _("Switching `weights_only` off trusts everything in the file.")
        + sep()
        + _("Load only files you made.")
    )
    ui.show_code(saving.CODE, _("Show the code: save and load a `state_dict`"))
    ui.show_code(saving.WHOLE_CODE, _("Show the code: what `weights_only=True` refuses"))


# ------------------------------------------------------------------------------ the page
st.title(_("Modules & the training loop"))
ui.explain(
    _(
        "Every model is an `nn.Module`: parameters it registers, a `forward`, and helpers that "
        "move, switch, save and load it."
    )
    + sep()
    + _("Then the loop that trains it, one phase at a time.")
)
ui.lazy_tabs(TAB, [anatomy_tab, devices_tab, modes_tab, data_tab, loop_tab, save_tab])
