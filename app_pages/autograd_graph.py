"""Autograd & the computation graph: type a program, see the graph autograd records, walk the
backward pass node by node."""

import re
from html import escape

import pandas as pd
import streamlit as st
import torch

from app_pages import i18n, predict, ui
from app_pages.i18n import _
from app_pages.ui import explain, load_settings, publish_settings, show_code, user_text
from core.charts import GRADIENT, HIGHLIGHT, VALUE
from core.charts.graph import WIDE_ABOVE, graph_dot
from core.expressions import ExpressionError, evaluate, free_names, parse_value
from core.graph import backward, custom, gradcheck, presets, record
from core.graph.layout import layers
from core.i18n import N_
from core.shareable import Param

# The lecture's presets by id: the id is the widget's value and the link's ?preset=mlp (the
# program text stays out of the URL); the label is only what the menu shows.
LABELS = {
    "dot": "1 · r = (x ⊙ y)ᵀ z",
    "shared": N_("2 · e = a·b; f = c·e + d·e (a shared sub-expression)"),
    "linear": N_("3 · the slide's LinearModule (W @ x + b, MSE)"),
    "step": N_("4 · one gradient step x ← x − α ∂r/∂x"),
    "mlp": N_("5 · a small nn.Sequential MLP"),
    "dynamic": N_("6 · define-by-run: a loop and an if (the graph follows the input)"),
    "myexp": N_("7 · a custom autograd.Function: MyExp"),
}
# The presets that are a program the student can edit; the others are built in code.
PROGRAMS = {
    "dot": presets.DOT_PRODUCT,
    "shared": presets.SHARED,
    "step": presets.DOT_PRODUCT,
    "dynamic": presets.DYNAMIC,
    "myexp": presets.MYEXP,
}
PARAMS = [Param("preset", "dot", options=tuple(LABELS))]


def _on_preset_change() -> None:
    st.session_state.step = 0
    _fill(PROGRAMS.get(st.session_state.preset))


def _fill(preset: presets.ProgramPreset | None) -> None:
    """Fill the program and variable widgets with a preset's program and values."""
    if preset is None:
        return
    st.session_state.program = preset.program
    st.session_state.output = preset.output
    for key in ("dynamic_x", "dynamic_n"):  # the define-by-run sliders start from the preset
        st.session_state.pop(key, None)
    for name, (text, grad) in preset.variables.items():
        st.session_state[f"value_{name}"] = text
        st.session_state[f"grad_{name}"] = grad


def _set_dynamic_x() -> None:
    st.session_state.value_x = f"{st.session_state.dynamic_x:g}"


def _set_dynamic_n() -> None:
    program = st.session_state.get("program", presets.DYNAMIC.program)
    st.session_state.program = presets.with_loop_count(program, st.session_state.dynamic_n)


DYNAMIC_QUESTIONS = ("autograd_graph.dynamic_branch", "autograd_graph.dynamic_muls")


def _dynamic_at(setting: dict) -> None:
    """Predict first: the dynamic preset, its program and x at a question's x and n."""
    _on_preset_change()
    st.session_state.dynamic_x, st.session_state.dynamic_n = (
        setting["dynamic_x"],
        setting["dynamic_n"],
    )
    _set_dynamic_x()
    _set_dynamic_n()


def _dynamic_sliders() -> None:
    """Define-by-run: sliders that set the input x and the loop count n in the program."""
    explain(
        _(
            "PyTorch records the graph while the program runs (define-by-run): each pass of "
            "the loop adds one `MulBackward0`, and only the branch the input takes is recorded. "
            "The comparison in the `if` decides which ops run; it leaves no node of its own."
        )
    )
    try:
        x = float(st.session_state.get("value_x", "1.0"))
    except ValueError:
        x = 1.0
    st.session_state.setdefault("dynamic_x", max(-2.0, min(2.0, x)))
    n = presets.loop_count(st.session_state.get("program", "")) or 3
    st.session_state.setdefault("dynamic_n", max(1, min(6, n)))
    left, right = st.columns(2)
    left.slider(
        _("x (its sign picks the branch)"),
        -2.0,
        2.0,
        step=0.1,
        key="dynamic_x",
        on_change=_set_dynamic_x,
    )
    right.slider(_("n in range(n)"), 1, 6, key="dynamic_n", on_change=_set_dynamic_n)


def _chain_rule(trace: backward.BackwardTrace, index: int) -> None:
    """The slide's chain rule beside the walk, with the current step's numbers where they fit."""
    st.latex(backward.CHAIN_RULE)
    labels = {n: d["label"] for n, d in trace.graph.nodes(data=True)}
    for line in backward.chain_rule_latex(trace.steps[index], labels, i18n.translator()):
        st.latex(line)


def _tensor_text(t) -> str:
    """A tensor's compact printout; a big one's shape and mean in the visitor's language."""
    return record.format_tensor(t, gettext=i18n.translator())


def _span(text: str, colour: str) -> str:
    return f'<span style="color:{colour}; font-weight:600">{escape(text)}</span>'


def _variables_widgets(program: str) -> dict[str, torch.Tensor] | None:
    """One row per input of the program: its value(s) or randn(shape), and requires_grad."""
    names = free_names(program)
    tensors: dict[str, torch.Tensor] = {}
    errors = []
    for name in names:
        st.session_state.setdefault(f"value_{name}", "1.0")
        st.session_state.setdefault(f"grad_{name}", True)
        left, right = st.columns([3, 2], vertical_alignment="bottom")
        text = left.text_input(
            f"{name} =",
            key=f"value_{name}",
            help=_(
                "A number, a list such as 1.0, -1.3, a nested list such as [[1, 2], [3, 4]], "
                "or a shape such as randn(3, 2) (seeded)."
            ),
        )
        grad = right.checkbox("requires_grad", key=f"grad_{name}")
        try:
            tensors[name] = parse_value(text).requires_grad_(grad)
        except ExpressionError as err:  # it may quote the typed text: shown escaped
            errors.append(f"{name}: {user_text(err.text(i18n.translator()), 600)}")
    for message in errors:
        st.error(message)
    return None if errors else tensors


def _step_panel(trace: backward.BackwardTrace, index: int) -> None:
    """The current backward step: the gradient that arrived, each local derivative, what leaves."""
    step = trace.steps[index]
    labels = {n: d["label"] for n, d in trace.graph.nodes(data=True)}
    st.markdown(
        "#### "
        + _("Step {index}: {label} ({kind})").format(
            index=index, label=escape(step.label), kind=_(KINDS[step.kind])
        )
    )
    arriving = _span(_tensor_text(step.grad), GRADIENT)
    if step.kind == "output":
        st.markdown(
            _("Backward starts at the output with the seed ∂{out}/∂{out} = {seed}.").format(
                out=escape(step.label), seed=arriving
            ),
            unsafe_allow_html=True,
        )
        return
    st.markdown(_("Gradient arriving here: {grad}").format(grad=arriving), unsafe_allow_html=True)
    for h in step.handoffs:
        if h.target is None and step.kind == "leaf":
            st.markdown(
                _("Leaf: the gradient is accumulated into **{name}.grad** = {grad}").format(
                    name=escape(step.label), grad=_span(_tensor_text(h.grad), GRADIENT)
                ),
                unsafe_allow_html=True,
            )
            continue
        to = labels.get(h.target) or _("an input without requires_grad")
        local = "" if h.local is None else " = " + _span(_tensor_text(h.local), VALUE)
        st.markdown(
            _("→ to **{to}**: local derivative {formula}; passes on {grad}").format(
                to=escape(to),
                formula=escape(h.formula) + local,
                grad=_span(_tensor_text(h.grad), GRADIENT),
            ),
            unsafe_allow_html=True,
        )


GRAPH_BOX_PX = 520  # a deep graph's scrolling box: with the title line, one projected screen
# Keeps the walk's current node (the one drawn in the highlight colour) in the middle of the
# deep graph's box: moving the step slider always shows where the walk is.
_FOLLOW = """<script>
(() => {  // step %d
  const d = (window.parent && window.parent !== window ? window.parent : window).document;
  let tries = 0;
  const go = () => {
    const box = d.querySelector('.st-key-graph_box');
    const node = box && [...box.querySelectorAll('g.node')].find(g =>
      [...g.querySelectorAll('path, polygon')].some(
        p => (p.getAttribute('stroke') || '').toUpperCase() === '%s'));
    if (!node) { if (tries++ < 40) setTimeout(go, 100); return; }
    let scroller = node.parentElement;
    while (scroller && scroller !== box.parentElement &&
           !(scroller.scrollHeight > scroller.clientHeight + 1 &&
             /(auto|scroll)/.test(getComputedStyle(scroller).overflowY)))
      scroller = scroller.parentElement;
    if (!scroller || scroller.scrollHeight <= scroller.clientHeight + 1) return;
    const n = node.getBoundingClientRect(), s = scroller.getBoundingClientRect();
    scroller.scrollTo({top: scroller.scrollTop + n.top - s.top - (s.height - n.height) / 2,
                       left: scroller.scrollLeft + n.left - s.left - (s.width - n.width) / 2,
                       behavior: 'smooth'});
  };
  go();
})();
</script>"""
LEGEND = N_(
    "Green: leaves · grey: autograd's op nodes · vermillion: the output · purple: the "
    "current backward step. Blue: data (forward). Orange: grad (backward), `?` until the "
    "walk reaches the node."
)
# A backward step's kind, as the step panel and the order table show it.
KINDS = {"leaf": N_("leaf"), "op": N_("op"), "output": N_("output")}


def _graph_and_walk(trace: backward.BackwardTrace, key: str = "step") -> None:
    """The graph with the backward step slider and the step panel: a wide graph with the walk
    under it, a deep one in a box of one screen's height beside the walk, following it."""
    steps = trace.steps
    if not steps:
        st.graphviz_chart(graph_dot(trace.graph, gettext=i18n.translator()), width="content")
        st.info(
            _(
                "Nothing here requires grad, so autograd recorded no graph to walk back through. "
                "Tick requires_grad on a variable."
            )
        )
        return
    last = len(steps) - 1
    if st.session_state.get(key, 0) > last:
        st.session_state[key] = last
    deep = len(layers(trace.graph)) > WIDE_ABOVE
    if deep:
        picture, walk = st.columns([3, 2], gap="medium")
    else:
        picture = walk = st.container()
    index = walk.slider(
        _("Backward step (reverse topological order, as autograd ran it)"),
        0,
        last,
        key=key,
        help=_("Step 0 is the seed at the output; each step is one node of the backward pass."),
    )
    # the walk so far: nodes it has not reached show `?` for their gradient, so the class
    # watches the chain rule fill the graph from the output back to the leaves
    reached = {s.node for s in steps[: index + 1]}
    dot = graph_dot(
        trace.graph, highlight=steps[index].node, reached=reached, gettext=i18n.translator()
    )
    with picture:
        box = st.container(height=GRAPH_BOX_PX, key="graph_box") if deep else st.container()
        box.graphviz_chart(dot, width="content")  # natural size: node text never shrinks
        st.caption(_(LEGEND))
    if deep:
        with walk:
            _step_panel(trace, index)
            st.html(_FOLLOW % (index, HIGHLIGHT.upper()), unsafe_allow_javascript=True)
        _chain_rule(trace, index)  # the page's whole width: the formulas never cut
    else:
        _chain_rule(trace, index)
        _step_panel(trace, index)
    if trace.seeded_with_ones:
        st.caption(
            _("The output is not a scalar, so backward was seeded with torch.ones_like(out).")
        )
    order = pd.DataFrame(
        [
            {
                _("step"): i,
                _("node"): s.label,
                _("kind"): _(KINDS[s.kind]),
                _("gradient arriving"): _tensor_text(s.grad),
            }
            for i, s in enumerate(steps)
        ]
    )
    with st.expander(_("The whole backward order")):
        ui.table(order)


def _variables_tour(tensor: torch.Tensor, name: str) -> None:
    st.subheader(_("Variables: .data, .grad, requires_grad, detach"))
    explain(
        _(
            "A tensor with `requires_grad=True` records the operations done with it. `.data` is "
            "its value without the history, `.grad` is filled by `backward()` (for leaves), "
            "`grad_fn` is the node that made it, and `detach()` returns the same numbers, "
            "sharing memory, cut off from the graph."
        )
    )
    lines = presets.variables_tour(tensor, name)
    st.code(
        "\n".join(f">>> {code}\n{out}" for code, out in lines), language="python", wrap_lines=True
    )
    d = _data_vs_detach()
    explain(presets.variable_history(d.variable_type, gettext=i18n.translator()))
    st.code(
        f"# x = tensor([1., 2.]), y = x ** 2, then x changed in place by 10x\n"
        f"# through x.data:     x.grad = {d.grad_through_data}   (2x is {d.true_grad})\n"
        f"# through x.detach(): RuntimeError: {d.detach_error.split(':')[0]}",
        language="python",
        wrap_lines=True,
    )
    show_code(presets.CODE_DATA_VS_DETACH, _("Show the code: .data vs detach()"))


@st.cache_data(show_spinner=False)
def _data_vs_detach() -> presets.DataVsDetach:
    return presets.data_vs_detach()


@st.cache_data(show_spinner=False)
def _gradchecks() -> list[gradcheck.Check]:
    return gradcheck.gradcheck_myexp()


def _gradcheck_section() -> None:
    """gradcheck on MyExp: float64 passes, float32 fails, both computed here."""
    st.markdown(
        "**"
        + _("Is MyExp's backward right? `torch.autograd.gradcheck` asks finite differences")
        + "**"
    )
    checks = _gradchecks()
    cols = st.columns(len(checks))
    for col, c in zip(cols, checks, strict=True):
        with col:
            if c.passed:
                st.success(
                    _("`{dtype}`: gradcheck passed.").format(dtype=c.dtype),
                    icon=":material/check:",
                )
            else:
                st.warning(
                    _("`{dtype}`: gradcheck failed.").format(dtype=c.dtype),
                    icon=":material/bug_report:",
                )
                st.code(c.report.strip(), language="text", wrap_lines=True)
    warning = next((f"`{c.warning}`" for c in checks if c.warning), _("(no warning)"))
    explain(
        _(
            "The same backward, two verdicts: in float32 the finite differences (step 1e-6) "
            "drown in rounding, so the numerical Jacobian is off, not MyExp. PyTorch warns "
            "first: {warning} Check gradients in float64."
        ).format(warning=warning)
    )
    show_code(gradcheck.CODE_GRADCHECK, _("Show the code: gradcheck in float64 and float32"))


def _program_preset(preset: str) -> None:
    picture = st.container()  # the graph and its walk come first; the program below feeds them
    if preset == "dynamic":
        _dynamic_sliders()
    left, right = st.columns([1, 1])
    with left:
        program = st.text_area(
            _(
                "Program (assignments with + - * / ** @ and sin, cos, exp, log, tanh, sigmoid, "
                "relu, sum, mean, sqrt, abs, t, dot, myexp; blocks: if sum(y) > 0: / else:, "
                "for i in range(k):, indented with spaces)"
            ),
            key="program",
            height=110,
            max_chars=2000,
        )
    with right:
        variables = _variables_widgets(program)
    if variables is None:
        return
    try:
        results = evaluate(program, variables)
    except ExpressionError as err:
        where = _("line {line}, column {column}").format(line=err.line, column=err.column)
        st.error(
            _("This program is not accepted. {where}: {problem}").format(
                where=where, problem=user_text(err.text(i18n.translator()), 600)
            )
        )
        return
    outputs = list(results)
    if st.session_state.get("output") not in outputs:
        st.session_state.output = outputs[-1]
    out_name = st.selectbox(_("Output (where backward starts)"), outputs, key="output")
    output = results[out_name]
    if preset != "dynamic" or predict.revealed(*DYNAMIC_QUESTIONS):  # grad_fn names the branch
        st.code(f">>> print({out_name})\n{output!r}", language="python", wrap_lines=True)
    if not torch.isfinite(output).all():
        st.warning(
            _("{name} holds NaN or inf: the gradients below will too.").format(name=out_name)
        )
    names = {**variables, **results}
    trace = backward.trace_backward(output, names, gettext=i18n.translator())
    with picture:
        if preset != "dynamic" or predict.ask(*DYNAMIC_QUESTIONS, apply=_dynamic_at):
            _graph_and_walk(trace)
            if preset == "dynamic":
                st.caption(
                    _("Recorded this run: {ops}.").format(ops=presets.op_summary(trace.graph))
                )

    if PROGRAMS[preset] is presets.DOT_PRODUCT and {"x", "y", "z"} <= set(variables):
        _dot_product_notes(variables, out_name)
    if preset == "shared":
        _shared_compare(variables, trace)
    if preset == "step":
        _gradient_step(program, variables, out_name)
    if preset == "dot":
        show_code(presets.CODE_DOT_PRODUCT, _("Show the code"))
    elif preset == "shared":
        show_code(presets.CODE_SHARED, _("Show the code"))
    elif preset == "dynamic":
        show_code(presets.CODE_DYNAMIC, _("Show the code: the same program in PyTorch"))
    elif preset == "myexp":
        show_code(custom.CODE_MYEXP, _("Show the code: class MyExp(torch.autograd.Function)"))
        _gradcheck_section()
    shown_code = {"dot": presets.CODE_DOT_PRODUCT, "shared": presets.CODE_SHARED}.get(preset)
    unedited = program.strip() == PROGRAMS[preset].program.strip()
    walk = record.code_walk(out_name, shown_code if shown_code and unedited else "")
    show_code(walk, _("Show the code: walking grad_fn.next_functions"))
    show_code(backward.CODE_HOOKS, _("Show the code: hooks on the backward pass"))
    leaves = [n for n, t in variables.items() if t.requires_grad]
    if leaves:
        _variables_tour(variables[leaves[0]], leaves[0])


def _dot_product_notes(variables: dict[str, torch.Tensor], out_name: str) -> None:
    x, y, z = variables["x"], variables["y"], variables["z"]
    if x.grad is None or x.shape != y.shape or y.shape != z.shape:
        return
    st.latex(
        r"r = (x \odot y)^\top z \quad\Rightarrow\quad "
        r"\frac{\partial r}{\partial x} = z \odot y = "
        + record.format_tensor(z * y).replace("[", r"\left[").replace("]", r"\right]")
    )
    st.markdown(
        _("Autograd agrees: `x.grad` = {grad}").format(grad=_span(_tensor_text(x.grad), GRADIENT)),
        unsafe_allow_html=True,
    )


def _shared_compare(variables: dict[str, torch.Tensor], trace: backward.BackwardTrace) -> None:
    st.subheader(_("Compare to {program}").format(program=f"`{presets.SHARED_COMPARE}`"))
    fresh = {n: t.detach().clone().requires_grad_(t.requires_grad) for n, t in variables.items()}
    try:
        other = evaluate(presets.SHARED_COMPARE, fresh)
    except ExpressionError as err:
        st.info(
            _("The comparison needs a, b, c and d: {problem}").format(
                problem=user_text(err.text(i18n.translator()), 600)
            )
        )
        return
    compare = backward.trace_backward(other["f"], {**fresh, **other}, gettext=i18n.translator())
    ops = lambda gr: sum(1 for _, d in gr.nodes(data=True) if d["kind"] == "op")  # noqa: E731
    left, right = st.columns(2)
    with left:
        st.markdown(
            _(
                "**{program}**: {n} op nodes. `e = a * b` is one MulBackward0 with two users; "
                "its gradient is the sum of both."
            ).format(
                program="`" + presets.SHARED.program.replace(chr(10), "; ") + "`",
                n=ops(trace.graph),
            )
        )
    with right:
        st.markdown(
            _(
                "**{program}**: {n} op nodes; nothing is shared, so every product is recorded again."
            ).format(program=f"`{presets.SHARED_COMPARE}`", n=ops(compare.graph))
        )
        st.graphviz_chart(graph_dot(compare.graph, gettext=i18n.translator()), width="content")


def _gradient_step(program: str, variables: dict[str, torch.Tensor], out_name: str) -> None:
    st.subheader(_("One gradient step"))
    if "x" not in variables:
        st.info(_("The gradient step moves the variable x: keep an x in the program."))
        return
    alpha = st.slider(_("Learning rate α"), 0.0, 1.0, 0.1, 0.01, key="alpha")
    step = presets.gradient_step(program, variables, "x", out_name, alpha)
    st.latex(
        r"x \leftarrow x - \alpha \frac{\partial r}{\partial x}: \quad "
        + " - ".join(
            [
                record.format_tensor(step.x),
                f"{alpha:.2f}" + r" \cdot " + record.format_tensor(step.grad),
            ]
        )
        .replace("[", r"\left[")
        .replace("]", r"\right]")
        + " = "
        + record.format_tensor(step.x_new, 3).replace("[", r"\left[").replace("]", r"\right]")
    )
    a, b = st.columns(2)
    a.metric(_("{name} before").format(name=out_name), f"{step.r:.4f}")
    b.metric(
        _("{name} after one step").format(name=out_name),
        f"{step.r_new:.4f}",
        f"{step.r_new - step.r:+.4f}",
    )
    explain(
        _(
            "Stepping against the gradient lowers r: for this linear r the drop is exactly "
            "α·|∂r/∂x|²."
        )
    )
    show_code(presets.CODE_GRADIENT_STEP, _("Show the code"))


def _built_preset(preset: str) -> None:
    if preset == "linear":
        built = presets.linear_module_preset()
        code = presets.CODE_LINEAR_MODULE
        first = shown = "W"
    else:
        built = presets.mlp_preset()
        code = presets.CODE_MLP
        first, shown = "0.weight", "model[0].weight"  # valid Python for the tour
    params = pd.DataFrame(
        [
            {_("parameter"): n, _("shape"): str(s), _("numbers"): int(torch.Size(s).numel())}
            for n, s in built.parameters
        ]
    )
    trace = backward.trace_backward(built.output, built.names, gettext=i18n.translator())
    _graph_and_walk(trace)  # the picture first; the model's code and parameters after it
    left, right = st.columns([2, 3])
    left.markdown("**" + _("Parameters") + "**")
    ui.table(params, box=left)
    with right:
        # the model and the loss, without the printing and backward lines that follow
        model_lines = re.split(r"\n(?=print\(|loss\.backward\(\))", code.strip())[0]
        st.code(model_lines, language="python", wrap_lines=True)
    st.code(f">>> print(loss)\n{built.output!r}", language="python", wrap_lines=True)
    show_code(code, _("Show the code"))
    show_code(record.code_walk("loss", code), _("Show the code: walking grad_fn.next_functions"))
    _variables_tour(built.names[first], shown)


selector = ui.title(_("Autograd & the computation graph"), ratio=(1.15, 1))
explain(
    _(
        "Every operation on a tensor with `requires_grad=True` is recorded as a node in a graph. "
        "`backward()` walks that graph from the output back to the leaves, multiplying local "
        "derivatives as it goes: the chain rule, one node at a time."
    )
)
load_settings(PARAMS)
label_of = i18n.translator()  # the language of this run (the menu formats its options later)
preset = selector.selectbox(
    _("Preset from the lecture"),
    list(LABELS),
    format_func=lambda k: label_of(LABELS[k]),
    key="preset",
    on_change=_on_preset_change,
    label_visibility=ui.selector_label(),
)
publish_settings(PARAMS)
if "program" not in st.session_state:  # first visit, or back from a preset without a program
    _fill(PROGRAMS.get(preset))
if preset in PROGRAMS:
    _program_preset(preset)
else:
    _built_preset(preset)
