"""Small Streamlit helpers shared by the pages: the sidebar, code expanders, messages.

Pages stay thin: they read widgets, call core/, and use these helpers to show results the
same way everywhere.
"""

import weakref
from collections.abc import Callable, Hashable
from contextlib import nullcontext

import altair as alt
import streamlit as st
from streamlit.elements import vega_charts
from streamlit.runtime.scriptrunner import get_script_run_ctx

from app_pages import i18n, predict
from app_pages.i18n import _
from core.charts import styled
from core.i18n import N_
from core.shareable import MAX_QUOTED_CHARS, from_query, literal, to_query

LECTURE = N_("RLChina 2022 · PyTorch Introduction")

# Less empty margin everywhere: a projected 1280 x 720 screen has no room to spare.
_BASE_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding: 3.5rem 3rem 3rem 3rem; }
/* a displayed formula's fractions reach above and below its line: give them room */
.katex-display { padding: 0.4em 0; }
/* students' screens (800 x 600 with the sidebar open, phones): side-by-side columns stack
   once they would be narrower than a control needs, and a chart wider than its column
   (a fixed-width grid) scrolls inside its own box instead of running off the page */
@media (max-width: 1000px) {
  [data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] { min-width: min(100%, 300px); }
  [data-testid="stVegaLiteChart"], [data-testid="stGraphVizChart"] { overflow-x: auto; max-width: 100%; }
  /* a graph keeps its natural size (its node text never shrinks below legible) and scrolls
     sideways in its box: shrunk to a phone's width its text was 6 px */
  [data-testid="stGraphVizChart"] svg { max-width: none !important; }
  /* a formula or a small table wider than the column scrolls sideways in its own box (cut
     into lines it would no longer read as the slide's formula) */
  .katex-display, [data-testid="stTable"] { overflow-x: auto; overflow-y: hidden; }
  [data-testid="stCode"] pre, [data-testid="stCode"] code { white-space: pre-wrap !important;
    overflow-wrap: anywhere; }
}
/* a phone: the page's side margins give their room to the content */
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding: 3.5rem 1rem 3rem 1rem; }
}
/* a phone: a displayed formula (one line, it cannot wrap) a size smaller */
@media (max-width: 480px) {
  .katex-display > .katex { font-size: 0.75em; }
}
/* small tables wrap their words rather than run past their column */
[data-testid="stTable"] th, [data-testid="stTable"] td { white-space: normal; overflow-wrap: anywhere; }
/* a graph in a scrolling box of its own keeps its natural size (its text never shrinks):
   the box scrolls both ways */
.st-key-graph_box [data-testid="stGraphVizChart"] svg { max-width: none !important; }
.st-key-graph_box [data-testid="stElementContainer"]:has([data-testid="stGraphVizChart"]),
.st-key-graph_box [data-testid="stGraphVizChart"] {
  width: max-content !important; max-width: none !important; }
/* a page link's label wraps in a narrow column instead of ending in an ellipsis */
[data-testid="stPageLink"] a, [data-testid="stPageLink"] a * {
  white-space: normal !important; text-overflow: clip !important; overflow: visible !important;
  height: auto !important; }
</style>
"""

# Presenter mode: larger type everywhere (1 rem = 22 px, so no text under 16 px), the code
# expanders and captions kept (they teach) but darker, and tables that grow with the type.
_PRESENTER_CSS = """
<style>
html { font-size: 22px; }
[data-testid="stMainBlockContainer"] { padding: 64px 1.2rem 2rem 1.2rem; max-width: 100%; }
/* a slide's title is one line of the slide, not a quarter of it */
[data-testid="stMain"] h1 { font-size: 1.75rem; }
[data-testid="stMain"] h2 { font-size: 1.35rem; }
[data-testid="stMain"] h3 { font-size: 1.15rem; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {
  color: #333333 !important; opacity: 1 !important; }
[data-testid="stCaptionContainer"] p { font-size: 0.8rem !important; }
[data-testid="stTable"] table, [data-testid="stMarkdownContainer"] table { font-size: 0.9rem; }
[data-testid="stExpander"] summary p { font-size: 0.9rem; }
[data-testid="stCode"] code { font-size: 0.8rem; }
</style>
"""

# The app writes its settings into the address bar (a shareable link) after each run. Streamlit
# pushes a history entry for every such write, so a visit made two entries (the page, then its
# settings) and Back needed two presses per page. This keeps one entry per page: a push that
# only changes the query string of the page already shown replaces the entry instead.
_ONE_ENTRY_PER_PAGE = """
<script>
(() => {
  const w = window.parent && window.parent !== window ? window.parent : window;
  if (w.__oneEntryPerPage) return;
  w.__oneEntryPerPage = true;
  const push = w.history.pushState.bind(w.history);
  w.history.pushState = (state, title, url) => {
    const next = url === undefined || url === null ? null : new URL(url, w.location.href);
    if (next && next.pathname === w.location.pathname) return w.history.replaceState(state, title, url);
    return push(state, title, url);
  };
})();
</script>
"""

# Switching presenter mode on folds the sidebar away (once: the lecturer may open it again).
_FOLD_SIDEBAR = """
<script>
(() => {
  const d = (window.parent && window.parent !== window ? window.parent : window).document;
  const fold = () => d.querySelector('[data-testid="stSidebarCollapseButton"] button');
  let tries = 0;
  const go = () => { const b = fold(); if (b) b.click(); else if (tries++ < 20) setTimeout(go, 100); };
  go();
})();
</script>
"""


def presenter_mode() -> bool:
    """True when the lecturer has switched presenter mode on (sidebar toggle or ?present=1)."""
    if "presenter_mode" not in st.session_state:
        st.session_state.presenter_mode = st.query_params.get("present") == "1"
    return bool(st.session_state.presenter_mode)


def _presenter_switched() -> None:
    st.session_state["_fold_sidebar"] = bool(st.session_state.presenter_mode)


def sidebar() -> None:
    """The sidebar every page shares."""
    presenter_mode()
    with st.sidebar:
        i18n.switch()
        st.toggle(
            _("Presenter mode"),
            key="presenter_mode",
            on_change=_presenter_switched,
            help=_("Larger type, the sidebar folded: for the projector."),
        )
        predict.switch()  # predict, then see: on by default, ?predict=0 in a link turns it off
        st.caption(
            _("Follows the lecture *{lecture}* and its companion notebooks.").format(
                lecture=_(LECTURE)
            )
        )
        script = _ONE_ENTRY_PER_PAGE
        if st.session_state.pop("_fold_sidebar", False):
            script += _FOLD_SIDEBAR
        st.html(script, unsafe_allow_javascript=True)
    st.html(_BASE_CSS)
    if st.session_state.presenter_mode:
        st.html(_PRESENTER_CSS)
        if st.query_params.get("present") != "1":
            st.query_params["present"] = "1"
    elif "present" in st.query_params:
        del st.query_params["present"]


def show_code(code: str, label: str | None = None) -> None:
    """An expander holding the short PyTorch code behind a visual (`label`: translated by the
    caller; "Show the code" in the visitor's language when none is given)."""
    with st.expander(label or _("Show the code"), icon=":material/code:"):
        st.code(code.strip(), language="python")


def explain(text: str) -> None:
    """A paragraph of explanation that presenter mode folds away."""
    if not st.session_state.get("presenter_mode"):
        st.markdown(text)


def title(text: str, ratio: tuple[float, float] = (1, 2)):
    """The page's title. Returns a box for the page's main selector (a topic, a preset): in
    presenter mode it shares the title's line, so the slide keeps its height for the picture."""
    if presenter_mode():
        left, right = st.columns(ratio, vertical_alignment="bottom")
        left.title(text)
        return right
    st.title(text)
    return st.container()


def selector_label() -> str:
    """`label_visibility` for the selector beside the title: on a slide the choice speaks
    for itself."""
    return "collapsed" if presenter_mode() else "visible"


def intro(text: str, label: str | None = None) -> None:
    """A tab's introduction: read above the picture normally; in presenter mode folded into an
    expander, so the slide starts with its picture (the lecturer says the intro)."""
    if st.session_state.get("presenter_mode"):
        with st.expander(label or _("About this slide"), icon=":material/info:"):
            st.markdown(text)
    else:
        st.markdown(text)


def beside(controls: float = 1, picture: float = 2.6):
    """(controls, picture): the picture with its controls on its left, as on a slide. Phones
    stack the two (controls first, directly above the picture)."""
    return st.columns([controls, picture], gap="medium")


def table(frame, box=None) -> None:
    """A small table drawn as a table that wraps and grows with the type (presenter mode), not
    a scrolling data grid whose columns clip their text."""
    (box or st).table(frame, hide_index=True)


def user_text(text: str, limit: int = MAX_QUOTED_CHARS) -> str:
    """Text a visitor supplied (a file name, a typed value, an error quoting it), made safe to
    show in Markdown: shortened and with every special character escaped."""
    return literal(text, limit)


def load_settings(params) -> None:
    """Seed the page's widgets from the URL once per visit; bad values fall back with a note.

    Call before the widgets are drawn; widgets then take their value from their key only
    (no `value=` argument), so a shared link and a student's own changes never fight. The
    notes quote the link's values escaped and shortened (core.shareable.literal).
    """
    marker = "_url_loaded:" + ",".join(p.key for p in params)
    if not st.session_state.get(marker):
        values, notes = from_query(params, st.query_params.to_dict(), i18n.translator())
        for param in params:
            st.session_state[param.key] = values.get(param.key, param.default)
        st.session_state[marker] = True
        for note in notes:
            st.info(note, icon=":material/link_off:")
    for param in params:
        if param.key not in st.session_state and _KEPT + param.key in st.session_state:
            # a widget not drawn in the last run (a closed tab) lost its state: bring it back
            st.session_state[param.key] = st.session_state[_KEPT + param.key]
        st.session_state.setdefault(param.key, param.default)


def lazy_tabs(param, bodies: list) -> None:
    """Tabs (one per option of `param`) of which only the open one runs: a page of many
    examples stays quick. The open tab comes from the link and is written back to it."""
    load_settings([param])
    # the tabs show the options in the visitor's language; the setting (and the link) keeps the
    # English option, and each language has its own tabs widget, set from the setting
    shown = f"_tabs:{param.key}:{i18n.language()}"
    st.session_state[shown] = i18n.t(st.session_state[param.key])
    labels = [i18n.t(option) for option in param.options]
    _restore_kept(st.session_state[param.key], param)
    tabs = st.tabs(labels, key=shown, on_change=_tab_opened, args=(param, shown))
    for tab, body in zip(tabs, bodies, strict=True):
        if tab.open:
            with tab:
                body()


def _drawn_this_run(key: str) -> bool | None:
    """True when the widget with this key was drawn in the current run, False when it was not,
    None when Streamlit does not say (its internals moved: then nothing is assumed)."""
    ctx = get_script_run_ctx()
    try:
        drawn = ctx.shared.widget_ids_this_run
        widget_id = st.session_state._state._key_id_mapper.get_id_from_key(key)
    except AttributeError:
        return None
    return widget_id is not None and widget_id in drawn


def _restore_kept(opened: str, param) -> None:
    """On opening another tab, its widgets take back the values the student gave them (the
    settings are kept by publish_settings; Streamlit's own copies went stale while hidden)."""
    marker = "_tab_was:" + param.key
    if st.session_state.get(marker, opened) != opened:
        for key in list(st.session_state):
            name = key[len(_KEPT) :] if isinstance(key, str) and key.startswith(_KEPT) else None
            if name and name != param.key and _drawn_this_run(name) is not True:
                st.session_state[name] = st.session_state[key]  # (a drawn widget: too late)
    st.session_state[marker] = opened


def _tab_opened(param, shown: str) -> None:
    opened = st.session_state[shown]
    st.session_state[param.key] = next(o for o in param.options if i18n.t(o) == opened)


_KEPT = "_kept:"  # a plain copy of each published setting, which Streamlit never discards


def publish_settings(params) -> None:
    """Write the page's current settings into the URL, so the address bar is a shareable link.

    Also keeps a copy of each, so a setting whose widget is not drawn for a while (a lazy tab
    left and come back to) returns with the value the student gave it, not the default.
    """
    values = {}
    for p in params:
        if p.key not in st.session_state:
            continue
        if _drawn_this_run(p.key) is False and _KEPT + p.key in st.session_state:
            # a widget of a closed tab: Streamlit's copy of its value is stale (it falls back to
            # the value first seeded), the kept copy is what the student last gave it
            values[p.key] = st.session_state[_KEPT + p.key]
        else:
            values[p.key] = st.session_state[p.key]
            st.session_state[_KEPT + p.key] = values[p.key]
    query = to_query(params, values)
    if st.session_state.get("presenter_mode"):
        query["present"] = "1"
    query |= i18n.link_query()
    query |= predict.link()
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


VALIDATE_CHARTS = False  # the tests switch it on to check every chart the pages draw
alt.data_transformers.register("to_arrow_dataset", vega_charts._to_arrow_dataset)  # Streamlit's


def vega_lite_spec(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite spec `st.altair_chart` sends for `chart` (its data as Arrow), without
    validating it against the schema again: the tests validate every chart the pages draw,
    and at run time validation was a fifth of a chart page's rerun. Follows Streamlit 1.67's
    own conversion (the theme "none", its Arrow data transformer, under its lock); a test
    checks the two agree."""
    datasets: dict = {}
    with vega_charts._altair_globals_lock:  # the theme and the transformer are process-wide
        theme = alt.theme.enable("none") if alt.theme.active == "default" else nullcontext()
        with theme, alt.data_transformers.enable("to_arrow_dataset", datasets=datasets):
            spec = chart.to_dict(validate=VALIDATE_CHARTS)
    spec["datasets"] = {**(spec.get("datasets") or {}), **datasets}
    return spec


@st.cache_data(max_entries=128, show_spinner=False)
def _chart_spec(inputs: tuple, style: bool, _build: Callable[[], alt.TopLevelMixin]) -> dict:
    return vega_lite_spec(styled(_build()) if style else _build())


def chart(inputs: tuple, build: Callable[[], alt.TopLevelMixin], box=None, style=True, **kwargs):
    """`box.altair_chart(styled(build()), **kwargs)`, built once per `inputs` for the server
    (style=False: the chart as built, for builders that style their own).

    `inputs` must name the chart and hold every input it is drawn from. Building and validating an
    Altair chart is most of a rerun on the chart pages (30-100 ms each), and a class following
    the lecturer makes the same moves: the spec (Vega-Lite, its data as Arrow) is made once and
    every session with the same inputs reuses it (see `vega_lite_spec`).
    """
    inputs = (i18n.language(), inputs)  # the same chart in another language is another spec
    return (box or st).vega_lite_chart(_chart_spec(inputs, style, build), **kwargs)


def live_chart(box, chart: alt.TopLevelMixin, **kwargs):
    """`box.altair_chart(chart, **kwargs)` for a chart drawn once (a live redraw, new data each
    time): not cached, but not validated either (see `vega_lite_spec`)."""
    return box.vega_lite_chart(named_by_place(vega_lite_spec(chart)), **kwargs)


PREFIX = "live_"  # not Vega-Lite's own names for its sources ("data_0", "source_0")


def named_by_place(spec: dict) -> dict:
    """`spec` with its datasets named by their place ("live_0", ...), not their content."""
    names = {old: f"{PREFIX}{i}" for i, old in enumerate(spec.get("datasets") or {})}

    def rename(node):
        if isinstance(node, dict):
            return {
                k: names.get(v, v) if k == "name" and isinstance(v, str) else rename(v)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [rename(v) for v in node]
        return node

    out = rename({k: v for k, v in spec.items() if k != "datasets"})
    out["datasets"] = {names[k]: v for k, v in (spec.get("datasets") or {}).items()}
    return out


_SHOWN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # a box -> what it shows
_NOTHING = object()


def shows(box, what: Hashable) -> bool:
    """True when `box` (an `st.empty()`) already shows `what`; else notes that it will.

    A live redraw skips the boxes whose content did not change: every element sent makes the
    browser lay the page out again, and ten students' redraws share a laptop-class machine.
    Only for boxes that nothing else writes to; a new script run makes new boxes.
    """
    if _SHOWN.get(box, _NOTHING) == what:
        return True
    _SHOWN[box] = what
    return False
