"""The autograd graph drawn as DOT for ``st.graphviz_chart``: micrograd's label | data | grad
boxes, one rank per layer of our own layout (inputs left, output right)."""

from html import escape

import networkx as nx

from core.charts import GRADIENT, HIGHLIGHT, LEAF, NEUTRAL, OUTPUT, VALUE
from core.graph.layout import layers
from core.graph.record import format_tensor
from core.i18n import Translate, untranslated
from core.summary import summarise

KIND_COLOUR = {"leaf": LEAF, "op": NEUTRAL, "output": OUTPUT}
KIND_FILL = {"leaf": "#E0F3EC", "op": "#F2F2F2", "output": "#FBE3D6"}
HIGHLIGHT_FILL = "#F6E1EE"
COMPACT_ABOVE = 40  # nodes: beyond this, boxes show names only
FONT_PT = 13  # graphviz points: 13 pt draws at about 17 px, above the 16 px projector floor
WIDE_ABOVE = 4  # layers: a deeper graph is drawn top to bottom, so it never needs shrinking
MAX_SHOWN = 4  # elements printed in a box; bigger tensors show their mean


def _numbers(t, digits: int, gettext: Translate = untranslated) -> str:
    _ = gettext
    if t.numel() > MAX_SHOWN:
        return _("mean {value}").format(value=f"{summarise(t).mean:.{digits}f}")
    return format_tensor(t, digits)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _title(data: dict, gettext: Translate = untranslated) -> str:
    _ = gettext
    if data["kind"] == "op":
        return f"{data['name']} = {data['label']}" if data["name"] else data["label"]
    if data["kind"] == "output":
        return _("{name} (output)").format(name=data["label"])
    return data["label"]


def _html_label(
    data: dict,
    compact: bool,
    digits: int,
    on: bool,
    reached: bool = True,
    shapes: bool = True,
    gettext: Translate = untranslated,
) -> str:
    """A micrograd-style box, stacked: the label on top, then shape, data and grad rows
    (`shapes=False`: no shape row, a deep graph's boxes kept low enough for one screen)."""
    _ = gettext
    head_colour = HIGHLIGHT if on else KIND_COLOUR[data["kind"]]
    head_text = "#FFFFFF"  # every head colour is dark enough for white text
    rows = [
        f'<TD BGCOLOR="{head_colour}"><FONT COLOR="{head_text}"><B>'
        f"{escape(_title(data, gettext))}</B></FONT></TD>"
    ]
    if not compact:
        shape = data.get("shape")
        if shapes and shape is not None and len(shape) > 0:
            text = _("shape {shape}").format(shape=tuple(shape))
            rows.append(f'<TD ALIGN="LEFT">{escape(text)}</TD>')
        if data.get("value") is not None:
            value = escape(_numbers(data["value"], digits, gettext))
            rows.append(f'<TD ALIGN="LEFT"><FONT COLOR="{VALUE}">data {value}</FONT></TD>')
        if data.get("grad") is not None:
            # the walk has not reached this node yet: its gradient is still unknown
            grad = escape(_numbers(data["grad"], digits, gettext)) if reached else "?"
            rows.append(f'<TD ALIGN="LEFT"><FONT COLOR="{GRADIENT}"><B>grad {grad}</B></FONT></TD>')
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4">'
        + "".join(f"<TR>{r}</TR>" for r in rows)
        + "</TABLE>>"
    )


def graph_dot(
    graph: nx.DiGraph,
    highlight: str | None = None,
    digits: int = 2,
    compact: bool | None = None,
    reached: set[str] | None = None,
    gettext: Translate = untranslated,
) -> str:
    """DOT source: layers left to right (top to bottom, without shape rows, when deep), leaves
    green, ops grey, output vermillion, the current backward step purple; values in blue,
    gradients in orange.

    `reached`: the nodes the backward walk has visited so far; the others show their gradient
    as `?` (None: every gradient shown).
    """
    if compact is None:
        compact = graph.number_of_nodes() > COMPACT_ABOVE
    rows = layers(graph)
    deep = len(rows) > WIDE_ABOVE
    rankdir = "TB" if deep else "LR"
    ranksep = 0.25 if deep else 0.4  # a deep graph, top to bottom, must fit a projected screen
    lines = [
        "digraph autograd {",
        f'  rankdir={rankdir}; newrank=true; nodesep=0.25; ranksep={ranksep}; bgcolor="transparent";',
        '  node [shape=box, style="rounded,filled", margin=0.02, fontname="Helvetica", '
        f"fontsize={FONT_PT}, penwidth=2];",
        f'  edge [color="{NEUTRAL}", penwidth=1.6, arrowsize=0.8];',
    ]
    for row in rows:
        ids = []
        for node in row:
            data = graph.nodes[node]
            on = node == highlight
            colour = HIGHLIGHT if on else KIND_COLOUR[data["kind"]]
            fill = HIGHLIGHT_FILL if on else KIND_FILL[data["kind"]]
            width = 5 if on else 2
            seen = reached is None or node in reached
            label = _html_label(data, compact, digits, on, seen, not deep, gettext)
            lines.append(
                f'  {_q(node)} [label={label}, color="{colour}", fillcolor="{fill}", '
                f"penwidth={width}];"
            )
            ids.append(_q(node))
        lines.append("  { rank=same; " + "; ".join(ids) + "; }")
    for src, dst in graph.edges:
        if highlight is not None and dst == highlight:
            lines.append(f'  {_q(src)} -> {_q(dst)} [color="{HIGHLIGHT}", penwidth=4];')
        else:
            lines.append(f"  {_q(src)} -> {_q(dst)};")
    lines.append("}")
    return "\n".join(lines)
