"""Home: the lecture's outline, each chapter a link with a one-line promise."""

import streamlit as st

from app_pages.outline import chapters
from app_pages.ui import LECTURE

st.title("PyTorch, live")
st.markdown(
    f"A visual, hands-on companion to *{LECTURE}*. Every slide becomes something you can "
    "touch: move a slider, type an expression, train a model and watch the numbers change."
)

section = None
for chapter in chapters():
    if chapter.section != section:
        section = chapter.section
        st.subheader(section)
    st.page_link(chapter.path, label=chapter.title, icon=chapter.icon)
    st.caption(chapter.promise)
