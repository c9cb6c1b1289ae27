"""Home: the lecture's outline, each chapter a link with a one-line promise."""

import streamlit as st

from app_pages.i18n import _
from app_pages.outline import chapters
from app_pages.ui import LECTURE

st.title("PyTorch, live")
st.markdown(
    _(
        "A visual, hands-on companion to *{lecture}*. Every slide becomes something you can "
        "touch: move a slider, type an expression, train a model and watch the numbers change."
    ).format(lecture=_(LECTURE))
)

section = None
for chapter in chapters():
    if chapter.section != section:
        section = chapter.section
        st.subheader(_(section))
    st.page_link(chapter.path, label=_(chapter.title), icon=chapter.icon)
    st.caption(_(chapter.promise))
