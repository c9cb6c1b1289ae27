"""Entry point: page config, the navigation over app_pages/, and the shared sidebar.

The screens live in app_pages/, not pages/: Streamlit treats a folder named pages/ beside the
entry script as an old-style multipage app, and a fresh server's first direct link to a page
would then run that page without this shell (no sidebar, no wide layout).
"""

import streamlit as st

from app_pages import heavy, ui
from app_pages.i18n import _
from app_pages.outline import HOME, pages
from app_pages.session import give_back_on_end
from runtime import warmup
from runtime.memory import release_free_memory

st.set_page_config(
    page_title="PyTorch, live",
    page_icon=":material/local_fire_department:",
    layout="wide",
    # a link with ?present=1 opens on the projector with the whole width for the content
    initial_sidebar_state="collapsed" if st.query_params.get("present") == "1" else "auto",
)


def _page(chapter, default=False):
    return st.Page(
        chapter.path,
        title=_(chapter.title),
        icon=chapter.icon,
        url_path="" if default else chapter.url_path,
        default=default,
    )


sections: dict[str, list] = {"": [_page(HOME, default=True)]}
for chapter in pages():
    sections.setdefault(_(chapter.section), []).append(_page(chapter))

warmup.start()  # torch and its first optimiser step, imported while the visitor reads
give_back_on_end()  # a closed tab's models are dropped and their memory returned
page = st.navigation(sections)
ui.sidebar()
heavy.begin_page_run()  # a live run's slot renewed during this page run outlives it; no other
heavy.show_stopped_note()  # a heavy action stopped by Stop or a click says so now
try:
    page.run()
finally:
    heavy.release()  # ...slot outlives the page run (never touches session state: Stop-safe)
release_free_memory()  # what this run freed goes back to the OS, not to the next peak
