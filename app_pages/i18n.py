"""中文 / English: the visitor's language, the translation helpers and the sidebar switch.

Write every text in English and wrap it where it is shown::

    from app_pages.i18n import _, ngettext

    st.subheader(_("Broadcasting"))
    st.caption(_("Epoch {epoch} of {total}").format(epoch=e, total=n))  # values after, by name
    st.caption(ngettext("{n} sample", "{n} samples", n).format(n=n))
    st.slider(_("Learning rate"), key="lr", ...)                     # keyed: the value survives
    st.selectbox(_("Landscape"), NAMES, format_func=_, key="fn")     # values stay English
    chart = core.charts.losses.curve(data, gettext=i18n.translator())  # core gets a function

Never ``_(f"...")``: the English text with its ``{names}`` is the catalogue's key. Texts made at
import time (constants) are marked ``N_("...")`` (core.i18n) and translated where shown:
``_(chapter.title)``. Code, API names in backticks and formulas stay as they are.

The language: the link's ``?lang=zh|en``, else Chinese when the browser's language
(``st.context.locale``) starts with ``zh``, else English; the sidebar's switch changes it for
the visit. It lives in the session (key ``lang``), so switching keeps every setting and trained
run, and it is kept in the shareable link whenever it is Chinese or was chosen.

Anything cached across visitors that holds translated text must have the language in its key:
``ui.chart`` adds it for charts; an ``st.cache_data`` function takes ``lang=i18n.language()``.
"""

import streamlit as st

from core.i18n import LANGUAGES, SOURCE, Translate, catalogue

KEY = "lang"  # the session's language and the link's query parameter
_CHOSEN = "_lang_chosen"  # True once the link or the switch named the language
NAMES = {"zh": "中文", "en": "English"}

# The page font with Chinese glyphs: Streamlit's "Source Sans" borrows the CJK ranges from the
# first simplified-Chinese face the machine has, so Latin text, icons, code and formulas keep
# their own fonts and Chinese never falls back to a Japanese or Korean form of a character.
_CJK_RANGES = "U+2E80-2FDF, U+3000-303F, U+3100-312F, U+31A0-31BF, U+3200-33FF, U+3400-4DBF, "
_CJK_RANGES += "U+4E00-9FFF, U+F900-FAFF, U+FE30-FE4F, U+FF00-FFEF"
# One face with exactly the descriptors of Streamlit's own (weights 100-900, upright): faces that
# differ only in unicode-range make one composite font, so Latin text keeps Streamlit's Source
# Sans at every weight (a separate bold CJK face outranked it for bold Latin text, which then
# fell back to another font) and Chinese bold is the regular face made bold by the browser.
_FACES = {
    "100 900": ("Noto Sans CJK SC", "NotoSansCJKsc-Regular", "Source Han Sans SC", "PingFang SC")
    + ("Microsoft YaHei",),
}
FONT_CSS = "<style>\n" + "".join(
    f'@font-face {{ font-family: "Source Sans"; font-weight: {weight}; font-style: normal; '
    f"src: {', '.join(f'local({name!r})' for name in names)}; unicode-range: {_CJK_RANGES}; }}\n"
    for weight, names in _FACES.items()
)
FONT_CSS += "</style>"


def _from_browser() -> str:
    locale = (st.context.locale or "").lower()
    return "zh" if locale.startswith("zh") else SOURCE


def language() -> str:
    """The visitor's language: "zh" or "en" (decided once per visit, then the switch's)."""
    state = st.session_state
    if state.get(KEY) not in LANGUAGES:
        linked = st.query_params.get(KEY)
        state[_CHOSEN] = linked in LANGUAGES
        state[KEY] = linked if linked in LANGUAGES else _from_browser()
    return state[KEY]


def _(message: str) -> str:
    """`message` (English) in the visitor's language."""
    return catalogue(language()).gettext(message)


t = _  # the same, for code where `_` is taken


def pgettext(context: str, message: str) -> str:
    """`message` in the visitor's language, where one English text has two meanings."""
    return catalogue(language()).pgettext(context, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for `n` things in the visitor's language (format `n` in afterwards)."""
    return catalogue(language()).ngettext(singular, plural, n)


def translator() -> Translate:
    """The visitor's translation as a plain function, for core/ code (`gettext=` argument)."""
    return catalogue(language()).gettext


def link_query() -> dict[str, str]:
    """The link's language parameter: present when Chinese or chosen, so a shared link opens
    in the language its sender sees."""
    lang = language()
    return {KEY: lang} if lang != SOURCE or st.session_state.get(_CHOSEN) else {}


def _chosen() -> None:
    st.session_state[_CHOSEN] = True


def switch() -> None:
    """The 中文 / English switch (in the sidebar), the CJK fonts, and the language in the link."""
    language()
    st.segmented_control(
        "Language / 语言",
        list(NAMES),
        format_func=NAMES.get,
        key=KEY,
        required=True,
        on_change=_chosen,
        label_visibility="collapsed",
    )
    st.html(FONT_CSS)
    wanted = link_query().get(KEY)
    if st.query_params.get(KEY) != wanted:
        if wanted:
            st.query_params[KEY] = wanted
        else:
            del st.query_params[KEY]
