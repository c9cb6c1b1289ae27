"""Home: the lecture's outline, each chapter a card: a picture of what it does, its link and its
one-line promise. The pictures are the chapters' own charts (scripts/home_pictures.py)."""

import streamlit as st

from app_pages import i18n
from app_pages.i18n import _
from app_pages.outline import ROOT, chapters
from app_pages.ui import LECTURE, presenter_mode

PICTURES = ROOT / "assets" / "home"

st.title("PyTorch, live")
st.markdown(
    _(
        "A visual, hands-on companion to *{lecture}*. Every slide becomes something you can "
        "touch: move a slider, type an expression, train a model and watch the numbers change."
    ).format(lecture=_(LECTURE))
)

listed = chapters()
sections = list(dict.fromkeys(c.section for c in listed))
if presenter_mode():  # one slide: every chapter's card in one grid, in the lecture's order
    groups, per_row = [("", listed)], 4
else:
    groups, per_row = [(s, [c for c in listed if c.section == s]) for s in sections], 3
for section, group in groups:
    if section:
        st.subheader(_(section))
    for start in range(0, len(group), per_row):
        columns = st.columns(per_row, gap="medium")
        for column, chapter in zip(columns, group[start : start + per_row], strict=False):
            with column.container(border=True):
                picture = PICTURES / i18n.language() / f"{chapter.url_path}.png"
                if not picture.is_file():  # no picture in this language: the English one
                    picture = PICTURES / f"{chapter.url_path}.png"
                if picture.is_file():
                    st.image(str(picture), width="stretch")
                st.page_link(chapter.path, label=_(chapter.title), icon=chapter.icon)
                st.caption(_(chapter.promise))
