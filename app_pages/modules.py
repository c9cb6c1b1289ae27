"""Modules & the training loop: nn.Module's anatomy, devices, modes, data, the loop, saving.

Each tab is short: its widgets, one or two core.modules calls, a picture first, then the
numbers and the code. The slow-motion loop's state is a core `SlowLoop` kept in this
visitor's session; the page only presses its buttons.
"""

import html

import pandas as pd
import streamlit as st
from torch import nn

from app_pages import ui
from core.charts import modules as charts
from core.modules import anatomy as an
from core.modules import devices, loading, modes, saving, slow_loop
from core.modules.slow_loop import Bugs, LoopConfig, SlowLoop
from core.shareable import Param

TABS = ["Anatomy", "Devices & dtypes", ".train() & .eval()", "Dataset & DataLoader",
        "The loop, slow", "Save & load"]  # fmt: skip
# The shareable setup: the open tab and its settings, e.g. ?mod_tab=Anatomy&mod_forget=1
TAB = Param("mod_tab", TABS[0], options=tuple(TABS))
LOOP_KEY = "modules_loop"  # this visitor's SlowLoop in st.session_state


def publish(params: list[Param]) -> None:
    """The open tab and its settings into the address bar (a shareable link)."""
    ui.publish_settings([TAB, *params])


def table(rows, height: int | None = None, **kw) -> None:
    """A small table of plain rows, no index: a table that wraps (never a column cut); a
    long one (given a `height`) scrolls in a data grid."""
    if height is None:
        ui.table(pd.DataFrame(rows))
    else:
        st.dataframe(pd.DataFrame(rows), hide_index=True, height=height, **kw)


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
    steps = c[2].slider("SGD steps", 1, 10, key="mod_steps")
    forget = c[3].toggle(
        "Forget nn.Parameter on b",
        key="mod_forget",
        help="self.b = torch.randn(y_dim): a plain tensor attribute instead of a Parameter.",
    )
    publish(ANATOMY)
    a = an.anatomy(x_dim, y_dim, forget, steps)
    left, right = st.columns([1, 1], gap="medium")
    # an.anatomy is seeded: the same settings make the same run, so they key its chart
    ui.chart(
        ("modules steps", x_dim, y_dim, forget, steps),
        lambda: charts.parameter_steps_chart(a.history, forget),
        left,
        style=False,
        width="stretch",
    )
    with right:
        st.markdown("**What the module knows about**")
        table(
            [{"attribute": r["attribute"], "in parameters()": r["in parameters()"],
              "in state_dict()": r["in state_dict()"], "moved by SGD": r[f"changed by {steps} SGD steps"]}
             for r in a.attributes],
            width="stretch",
        )  # fmt: skip
        if forget:
            st.warning(
                "b is not a Parameter: `parameters()` does not list it, so the optimiser never "
                "sees it; the state_dict leaves it out too. Its numbers stay exactly as they were.",
                icon=":material/bug_report:",
            )
        else:
            ui.explain("Both are `nn.Parameter`s: registered by assignment, trained by SGD.")
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
        "`print(model)` lists *submodules*, not parameters: this module has none. "
        "Build one from modules and they appear, with dotted names:"
    )
    kind = st.segmented_control("Submodules", an.SUBMODULE_KINDS, required=True, key="mod_sub")
    sub = an.submodules(kind or an.SUBMODULE_KINDS[0], x_dim, y_dim)
    st.code(f">>> print(model)\n{sub.printed}", language="python")
    left, right = st.columns([1, 1], gap="medium")
    left.code(f">>> list(model.state_dict())\n{sub.state_keys}", language="python", wrap_lines=True)
    with right:
        table(sub.parameters, width="stretch")
    ui.show_code(a.code)
    ui.show_code(sub.code, "Show the code: submodules")


# ------------------------------------------------------------------------------ devices
DEVICES = [
    Param("mod_to", "float64", options=tuple(devices.DTYPES)),
    Param("mod_layer", "float32", options=devices.LAYER_DTYPES),
    Param("mod_input", "float64", options=tuple(devices.DTYPES)),
    Param("mod_device", "cpu", options=devices.INPUT_DEVICES),
]


def devices_tab() -> None:
    ui.load_settings(DEVICES)
    found = devices.available_devices()
    gpus = [d["device"] for d in found if d["available"] and d["device"] != "cpu"]
    st.markdown(
        f"**This server computes on: {', '.join(['CPU', *gpus])}.** "
        + ("" if gpus else "No GPU: a deployment like this one is CPU only. ")
        + "Nothing in this app needs a GPU; the code below runs anywhere."
    )
    table(found)
    st.markdown("**`.to()` casts parameters and buffers**")
    left, right = st.columns([1, 3], gap="medium")
    dtype = left.selectbox("model.to(dtype)", list(devices.DTYPES)[:4], key="mod_to")
    with left:
        ui.explain(
            "Parameters and floating-point buffers follow; the integer buffer "
            "`num_batches_tracked` keeps its dtype; the plain attribute `scale` is not moved "
            "at all (another reason to register tensors: `register_buffer`)."
        )
    ui.table(pd.DataFrame(devices.moved(dtype)), box=right)
    st.markdown("**A mismatch is an error, not a silent cast**")
    c = st.columns([1, 1, 1, 3], vertical_alignment="bottom")
    layer = c[0].selectbox("layer dtype", devices.LAYER_DTYPES, key="mod_layer")
    dt = c[1].selectbox("input dtype", list(devices.DTYPES), key="mod_input")
    dev = c[2].selectbox("input device", devices.INPUT_DEVICES, key="mod_device")
    out = devices.call(layer, dt, dev)
    with c[3]:
        if out.error:
            st.warning(f"**RuntimeError** (caught): {out.error}", icon=":material/bug_report:")
        else:
            st.success(f"Works: the output is {out.out_dtype}.", icon=":material/check:")
    ui.explain(
        "No GPU is needed to see a device mismatch: the `meta` device (shapes, no data) "
        "raises the same kind of error a CUDA tensor meeting a CPU layer would."
    )
    publish(DEVICES)
    ui.show_code(devices.MOVE_CODE.format(dtype=f"torch.{dtype}"), "Show the code: .to()")
    ui.show_code(out.code, "Show the code: the mismatch")


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
    p = c[0].slider("Dropout p", 0.0, 0.9, step=0.1, key="mod_p")
    batch = c[1].slider("Batch size", 1, 8, key="mod_batch")
    bn = c[2].toggle("BatchNorm1d", key="mod_bn")
    seed = int(c[3].number_input("Seed", 0, 9999, key="mod_seed"))
    publish(MODES)
    r = modes.modes(round(p, 2), batch, bn, seed)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        if r.error:
            st.warning(
                f"**train mode refused** (ValueError, caught): {r.error}. BatchNorm needs at "
                "least two samples to estimate a batch's mean and variance.",
                icon=":material/bug_report:",
            )
        else:
            st.altair_chart(charts.outputs_chart(r.outputs), width="stretch")
    with right:
        if not r.error:
            same = modes.same_twice(r)
            for mode in ("train", "eval"):
                st.metric(f"{mode}(): same output twice?", "yes" if same[mode] else "no")
        if r.running_mean:
            moved = r.running_mean["before"] != r.running_mean["after"]
            st.markdown(
                "BatchNorm's `running_mean` "
                + ("moved during the train-mode calls; eval mode only reads it." if moved
                   else "did not move: train mode never ran.")
            )  # fmt: skip
    st.altair_chart(charts.masks_chart(r.masks, round(p, 2)), width="content")
    ui.show_code(r.code)


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
    n = c[0].slider("Samples", 4, loading.MAX_SAMPLES, key="dl_n")
    batch_size = c[1].slider("batch_size", 1, 12, key="dl_batch")
    epochs = c[2].slider("Epochs", 1, loading.MAX_EPOCHS, key="dl_epochs")
    shuffle = c[3].toggle("shuffle", key="dl_shuffle")
    drop_last = c[3].toggle("drop_last", key="dl_drop")
    seed = int(c[4].number_input("Seed", 0, 9999, key="dl_seed"))
    publish(DATA)
    r = loading.batches(n, min(batch_size, n), shuffle, drop_last, seed, epochs)
    st.altair_chart(charts.batches_chart(r.rows, r.batches_per_epoch), width="stretch")
    left, right = st.columns([3, 2], gap="medium")
    with left:
        if not ui.presenter_mode():  # the projector keeps the picture and the shapes
            table(loading.dataset_table(n), height=min(35 * (n + 1) + 3, 250))
    with right:
        st.metric("Batches per epoch: len(loader)", r.batches_per_epoch)
        st.markdown("**A collated batch** (the loader stacks the samples):")
        st.code("\n".join(f"{k}: {v}" for k, v in r.shapes.items()), language="text")
        ui.explain(
            "The same seed gives the same order every time you reload; each epoch draws a new "
            "order from the generator. With `drop_last`, a short last batch is left out (grey)."
        )
    ui.show_code(r.code)


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
    "loop_zero": ("Forget zero_grad()", "forget_zero_grad"),
    "loop_backward": ("Forget backward()", "forget_backward"),
    "loop_order": ("step() before backward()", "step_before_backward"),
    "loop_nograd": ("Evaluate without no_grad()", "eval_without_no_grad"),
}
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
    bugs = Bugs(**{field: bool(state.get(k, False)) for k, (_, field) in BUG_LABELS.items()})
    return LoopConfig(state.get("loop_lr", 0.1), state.get("loop_batch", 4),
                      int(state.get("loop_seed", 0)), bugs)  # fmt: skip


def _grad_table(s: slow_loop.Snapshot) -> list[dict]:
    def fmt(d, name):
        return "None" if d is None else f"{d[name]:+.4f}"

    return [
        {"parameter": name, "value": f"{s.params[name]:+.4f}", ".grad": fmt(s.grads, name),
         "this batch's gradient": fmt(s.batch_grad, name),
         "sum of batch gradients since zero_grad": fmt(s.grad_sum, name)}
        for name in slow_loop.PARAM_NAMES
    ]  # fmt: skip


def _consequence(s: slow_loop.Snapshot, bugs: Bugs) -> str | None:
    """The bug's visible consequence at this phase, in words (None: nothing to point at)."""
    if s.phase == "evaluate":
        if s.eval_requires_grad:
            return (f"test_out.requires_grad = True, grad_fn = {s.eval_grad_fn}: a graph was "
                    "built for nothing, holding memory. Wrap evaluation in torch.no_grad().")  # fmt: skip
        return None
    if s.note:
        return s.note + " (the parameters did not move)."
    if bugs.forget_zero_grad and s.phase == "backward" and s.step > 0:
        return (".grad was not cleared: it is now the sum of every batch's gradient so far "
                "(compare the last two columns), so the step is too large and points the wrong way.")  # fmt: skip
    if bugs.forget_backward and s.phase == "step":
        return ".grad is None: backward() never ran, so step() moved nothing."
    return None


def loop_tab() -> None:
    ui.load_settings(LOOP)
    bugs = st.container(horizontal=True)  # wraps rather than truncating the labels
    for key, (label, _) in BUG_LABELS.items():
        bugs.toggle(label, key=key)
    c = st.columns([3, 2, 1], vertical_alignment="bottom")
    c[0].select_slider("Learning rate", slow_loop.LRS, key="loop_lr")
    c[1].select_slider("Batch size (8 samples)", slow_loop.BATCH_SIZES, key="loop_batch")
    c[2].number_input("Seed", 0, 9999, key="loop_seed")
    publish(LOOP)
    cfg = loop_config()
    run = current_loop(cfg)
    b = st.container(horizontal=True, vertical_alignment="center")
    # callbacks: the click changes the run before the buttons are drawn (Next greys out at once)
    b.button("Next phase", key="loop_next", type="primary", icon=":material/skip_next:",
             disabled=run.done, on_click=run.advance)  # fmt: skip
    b.button("Finish the batch", key="loop_batch_end", icon=":material/fast_forward:",
             disabled=run.done, on_click=run.to_batch_end)  # fmt: skip
    b.button("Reset", key="loop_reset", icon=":material/restart_alt:", on_click=run.reset)
    s = run.last
    b.markdown(
        f"Phase {len(run.history) - 1} / {run.total_phases} · epoch {s.epoch + 1} / "
        f"{slow_loop.EPOCHS} · batch {s.batch + 1} · steps {s.step}"
        + (" · **finished**" if run.done else "")
    )
    limit = max(
        1.0,
        *(abs(v) for snap in run.history for d in (snap.params, snap.grads, snap.batch_grad)
          if d for v in d.values()),
    )  # fmt: skip
    left, right = st.columns([1, 1], gap="medium")
    with left:
        st.altair_chart(charts.loop_chart(s.params, s.grads, s.batch_grad, limit), width="stretch")
        m = st.columns(2)
        m[0].metric("loss", "–" if s.loss is None else f"{s.loss:.4f}")
        m[1].metric("out.shape", "–" if s.out_shape is None else str(s.out_shape))
    with right:
        st.html(scaffold_html(slow_loop.scaffold(cfg.bugs, cfg.lr), s.phase))
        st.markdown(
            f"**{s.phase}**: "
            + slow_loop.WORDS.get(s.phase, "press Next phase to run the first line.")
        )
        consequence = _consequence(s, cfg.bugs)
        if consequence:
            st.warning(consequence, icon=":material/bug_report:")
    table(_grad_table(s), width="stretch")
    ui.show_code(slow_loop.code(cfg), "Show the code: the whole loop, runnable")


# ------------------------------------------------------------------------------ saving
SAVE = [Param("save_seed", 0, 0, 9999)]


def save_tab() -> None:
    ui.load_settings(SAVE)
    run = current_loop(loop_config())
    ui.explain(
        f"The model from *The loop, slow* as it stands ({run.last.step} optimiser steps), "
        "saved to bytes in memory and loaded into a freshly built `nn.Linear(2, 1)`."
    )
    seed = int(st.number_input("Seed of the test inputs", 0, 9999, key="save_seed"))
    publish(SAVE)
    r = saving.round_trip(run.model, lambda: nn.Linear(2, 1), seed=seed)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.altair_chart(charts.predictions_chart(r.original, r.loaded), width="stretch")
    with right:
        st.metric("Same predictions, to the bit?", "yes" if r.equal else "no")
        st.code(f">>> list(state)\n{r.keys}\n# {r.n_bytes} bytes", language="python")
        st.download_button(
            "Download the state_dict",
            saving.state_dict_bytes(run.model),
            file_name="linear_state_dict.pt",
            mime="application/octet-stream",
            key="save_download",
            icon=":material/download:",
            on_click="ignore",
        )
    st.markdown(
        "**Why `weights_only=True`:** a `.pt` file is a pickle, and loading a pickle can call "
        "any function it names. `weights_only=True` rebuilds only tensors and plain "
        "containers, and refuses the rest. What it said here:"
    )
    for name, message in saving.refusals().items():
        st.code(f"# {name}\n{saving.key_line(message)}", language="text", wrap_lines=True)
    ui.explain(
        "Save the **state_dict** (names → tensors), not the whole model: `torch.save(model)` "
        "pickles the class by its import path, so it breaks when the code moves and can only "
        "be loaded by switching `weights_only` off, trusting the file. Load only files you made."
    )
    ui.show_code(saving.CODE, "Show the code: save and load a state_dict")
    ui.show_code(saving.WHOLE_CODE, "Show the code: what weights_only=True refuses")


# ------------------------------------------------------------------------------ the page
st.title("Modules & the training loop")
ui.explain(
    "Every model is an `nn.Module`: parameters it registers, a `forward`, and helpers that "
    "move, switch, save and load it. Then the loop that trains it, one phase at a time."
)
ui.lazy_tabs(TAB, [anatomy_tab, devices_tab, modes_tab, data_tab, loop_tab, save_tab])
