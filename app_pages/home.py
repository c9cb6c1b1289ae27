"""Home: the lecture's outline, each chapter a card: a picture of what it does, its link and its
one-line promise. The pictures are the chapters' own charts (scripts/home_pictures.py)."""

import streamlit as st

from app_pages.outline import ROOT, chapters
from app_pages.ui import LECTURE, presenter_mode

PICTURES = ROOT / "assets" / "home"

st.title("PyTorch, live")
st.markdown(
    f"A visual, hands-on companion to *{LECTURE}*. Every slide becomes something you can "
    "touch: move a slider, type an expression, train a model and watch the numbers change."
)

listed = chapters()
sections = list(dict.fromkeys(c.section for c in listed))
if presenter_mode():  # one slide: every chapter's card in one grid, in the lecture's order
    groups, per_row = [("", listed)], 4
else:
    groups, per_row = [(s, [c for c in listed if c.section == s]) for s in sections], 3
for section, group in groups:
    if section:
        st.subheader(section)
    for start in range(0, len(group), per_row):
        columns = st.columns(per_row, gap="medium")
        for column, chapter in zip(columns, group[start : start + per_row], strict=False):
            with column.container(border=True):
                picture = PICTURES / f"{chapter.url_path}.png"
                if picture.is_file():
                    st.image(str(picture), width="stretch")
                st.page_link(chapter.path, label=chapter.title, icon=chapter.icon)
                st.caption(chapter.promise)
