"""Small Streamlit helpers shared by the pages: the sidebar, code expanders, messages.

Pages stay thin: they read widgets, call core/, and use these helpers to show results the
same way everywhere.
"""

import streamlit as st

LECTURE = "RLChina 2022 · PyTorch Introduction"

_PRESENTER_CSS = """
<style>
html { font-size: 22px; }
section.main h1 { font-size: 2.6rem; }
div[data-testid="stExpander"] { display: none; }
div[data-testid="stCaptionContainer"] { display: none; }
</style>
"""


def presenter_mode() -> bool:
    """True when the lecturer has switched presenter mode on (sidebar toggle or ?present=1)."""
    if "presenter_mode" not in st.session_state:
        st.session_state.presenter_mode = st.query_params.get("present") == "1"
    return bool(st.session_state.presenter_mode)


def sidebar() -> None:
    """The sidebar every page shares."""
    presenter_mode()
    with st.sidebar:
        st.toggle(
            "Presenter mode",
            key="presenter_mode",
            help="Larger type, explanations folded away: for the projector.",
        )
        st.caption(f"Follows the lecture *{LECTURE}* and its companion notebooks.")
    if st.session_state.presenter_mode:
        st.markdown(_PRESENTER_CSS, unsafe_allow_html=True)


def show_code(code: str, label: str = "Show the code") -> None:
    """An expander holding the short PyTorch code behind a visual."""
    with st.expander(label, icon=":material/code:"):
        st.code(code.strip(), language="python")


def explain(text: str) -> None:
    """A paragraph of explanation that presenter mode folds away."""
    if not st.session_state.get("presenter_mode"):
        st.markdown(text)
