"""What a person reads on a page under AppTest, and English prose left in a Chinese page.

`texts(at)` collects every label, help text, option, caption, Markdown body, alert, metric,
table header, tab and expander title, and every title in the page's Vega-Lite specs (chart,
axis, legend and tooltip titles). `english_prose(text)` finds three or more English words in a
row outside code, backticks, formulas, links and the names in `NAMES`.
"""

import json
import re

from google.protobuf.json_format import MessageToDict

from core.charts import title_text

# Names a Chinese page writes as they are (products, people, optimisers, losses, layers, games)
NAMES = """PyTorch Jidi DAgger RLChina NumPy Python Streamlit CUDA CPU GPU MPS Olympics Wrestling
Adam AdamW SGD RMSprop Nesterov Adagrad Momentum MSE L1 Huber SmoothL1 SoftMargin Hinge BCE
BCEWithLogits CrossEntropy NLL KL ReLU Tanh Sigmoid Softmax LSTM GRU RNN CNN MLP MNIST Rosenbrock
Himmelblau Beale Rastrigin Li Goodfellow Karpathy DataLoader Dataset Tensor Module Linear
Sequential""".split()
_NAMES = {n.lower() for n in NAMES}
# text a person does not read as prose: code, formulas, links, markup
_NOT_PROSE = [
    re.compile(r"```.*?```", re.S),
    re.compile(r"`[^`]*`"),
    re.compile(r"\$\$.*?\$\$", re.S),
    re.compile(r"\$[^$]*\$"),
    re.compile(r"\]\([^)]*\)"),  # a Markdown link's target
    re.compile(r"https?://\S+"),
    re.compile(r"<[^>]+>"),
    re.compile(r":material/[a-z_]+:"),
]
_EDGES = "\"'“”‘’()[]{}*_,.;:!?，。：；！？、（）《》—–-…·"
_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")


def english_prose(text: str) -> list[str]:
    """The runs of three or more English words in `text` (empty when there are none)."""
    for pattern in _NOT_PROSE:
        text = pattern.sub(" ¦ ", text)
    runs, run = [], []
    for token in re.split(r"\s+", text):
        word = token.strip(_EDGES)
        is_word = (
            _WORD.fullmatch(word) is not None
            and word.lower() not in _NAMES
            and (len(word) > 1 or word in "aAI")
            and not re.search(r"[\w][,.;:!?](?=\S)", token)  # not glued: a.b, f(x)
        )
        if is_word:
            run.append(word)
        if not is_word or re.search(r"[.;:!?。：；！？]$", token):
            if len(run) >= 3:
                runs.append(" ".join(run))
            run = []
    if len(run) >= 3:
        runs.append(" ".join(run))
    return runs


_TEXT_FIELDS = {"label", "help", "placeholder", "body", "caption", "text", "options", "title"}
_SKIPPED = {"code", "latex", "html", "exception", "graphviz_chart", "json", "image", "imgs"}


def _strings(node, keys=_TEXT_FIELDS):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in keys:
                if isinstance(value, str):
                    yield value
                elif isinstance(value, dict) and "expr" in value:  # a title wrapped by width
                    yield title_text({"text": value})
                elif isinstance(value, list):
                    yield from (v for v in value if isinstance(v, str))
                else:
                    yield from _strings(value, keys)
            else:
                yield from _strings(value, keys)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, keys)


def chart_texts(spec: dict) -> list[str]:
    """The titles a Vega-Lite spec shows (chart, axes, legends, tooltips), its data left out."""
    spec = {k: v for k, v in spec.items() if k not in ("datasets", "data")}
    return list(_strings(spec, {"title", "text", "subtitle"}))


def texts(at) -> list[tuple[str, str]]:
    """(kind, text) for every text the page shows (see the module's docstring)."""
    found = []
    for node in at._tree:
        kind = getattr(node, "type", type(node).__name__)
        proto = getattr(node, "proto", None)
        if proto is None or kind in _SKIPPED:
            continue
        data = MessageToDict(proto)
        if "spec" in data and isinstance(data["spec"], str) and kind != "graphviz_chart":
            found += [("chart", s) for s in chart_texts(json.loads(data["spec"]))]
            continue
        if kind in ("arrow_data_frame", "arrow_table", "dataframe", "table"):
            try:
                found += [("table", str(c)) for c in node.value.columns]
            except Exception:  # noqa: BLE001 - a table AppTest cannot read has no headers here
                pass
            continue
        data.pop("spec", None)
        data.pop("data", None)
        found += [(kind, s) for s in _strings(data) if s.strip()]
    return found
