"""The message catalogues (gettext .po files under locales/) and translation for core/ code.

English is the source language: every message is written in English in the code and looked up
in the visitor's language at display time. The catalogues are split by area of the app
(``AREAS``: one .po file per page or topic, so translators working in parallel never edit the
same file) and merged into one lookup when loaded. They are read straight from the .po files
(Babel's reader, cached until a file changes), so nothing is compiled and nothing can go stale.

Code in core/ that makes text a person reads (chart titles and axes, question prompts, error
messages) never knows the visitor's language: it takes the translation function to use, a
parameter named ``gettext`` that defaults to ``untranslated``, and calls it on literal English
strings so that ``pybabel extract`` finds them::

    def loss_chart(history, gettext: Translate = untranslated) -> alt.Chart:
        _ = gettext
        return alt.Chart(...).properties(title=_("Loss per epoch"))

Values go in after translation, by name: ``_("Epoch {epoch} of {total}").format(...)``,
never an f-string inside ``_()``. Texts defined at import time (constants, dataclass fields)
are marked with ``N_("...")`` for extraction and translated where they are shown.
"""

import fnmatch
import functools
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"
SOURCE = "en"  # the language the code is written in
LANGUAGES = ("en", "zh")  # the first is the fallback

Translate = Callable[[str], str]

# Each area's catalogue is made from these files (glob patterns relative to the repository root;
# the first area whose patterns match a file takes it). One .po per area and language:
# locales/<lang>/LC_MESSAGES/<area>.po. A chart builder belongs to the page that shows it.
AREAS: dict[str, tuple[str, ...]] = {
    "shell": (
        "streamlit_app.py",
        "app_pages/__init__.py",
        "core/__init__.py",
        "app_pages/ui.py",
        "app_pages/i18n.py",
        "app_pages/heavy.py",
        "app_pages/session.py",
        "core/shareable.py",
        "core/i18n.py",
        "core/budget.py",
        "core/cancel.py",
        "core/charts/__init__.py",
        "core/charts/schema_tables.py",
        "runtime/*.py",
    ),
    "home": ("app_pages/home.py", "app_pages/outline.py"),
    "tensors": ("app_pages/tensors.py", "core/tensors/*.py", "core/charts/tensors.py"),
    "autograd_graph": (
        "app_pages/autograd_graph.py",
        "core/graph/*.py",
        "core/expressions/*.py",
        "core/myexp.py",
        "core/charts/graph.py",
    ),
    "modules": ("app_pages/modules.py", "core/modules/*.py", "core/charts/modules.py"),
    "gradient_descent": (
        "app_pages/gradient_descent.py",
        "core/landscapes/*.py",
        "core/optimisers.py",
        "core/ladder.py",
        "core/charts/landscapes.py",
    ),
    "loss_functions": ("app_pages/loss_functions.py", "core/losses.py", "core/charts/losses.py"),
    "live_training": (
        "app_pages/live_training.py",
        "app_pages/trainer.py",
        "core/training/*.py",
        "core/summary.py",
        "core/seeding.py",
        "core/charts/training.py",
    ),
    "behaviour_cloning": (
        "app_pages/behaviour_cloning.py",
        "core/wrestling/*.py",
        "core/wrestling/*/*.py",
        "core/charts/wrestling.py",
    ),
    "dagger": ("app_pages/dagger_tab.py", "core/charts/dagger.py"),
    "questions": ("app_pages/predict.py", "core/questions/*.py", "core/charts/questions.py"),
    "class_room": (
        "app_pages/class_room.py",
        "app_pages/push.py",
        "classroom/*.py",
        "classroom/*/*.py",
    ),
}
# Where the code that can show text lives: every .py file here must fall in exactly one area.
SOURCE_GLOBS = ("streamlit_app.py", "app_pages/**/*.py", "core/**/*.py", "runtime/**/*.py")
SOURCE_GLOBS += ("classroom/**/*.py",)


def untranslated(message: str) -> str:
    """The message itself: the default translation of core/ code (English)."""
    return message


def N_(message: str) -> str:  # noqa: N802 (gettext's own name for the marker)
    """Marks a message for extraction without translating it (translate where it is shown)."""
    return message


def area_of(path: str) -> str | None:
    """The area whose catalogue holds the messages of `path` (relative, with slashes), if any."""
    for area, patterns in AREAS.items():
        if any(fnmatch.fnmatchcase(path, p) and p.count("/") == path.count("/") for p in patterns):
            return area
    return None


def source_files(root: Path = ROOT) -> list[str]:
    """Every source file that may show text, relative to `root`, sorted."""
    found = {p.relative_to(root).as_posix() for g in SOURCE_GLOBS for p in root.glob(g)}
    return sorted(f for f in found if "__pycache__" not in f)


def area_files(area: str, root: Path = ROOT) -> list[str]:
    """The source files whose messages go into `area`'s catalogue."""
    return [f for f in source_files(root) if area_of(f) == area]


def po_path(lang: str, area: str, locales: Path = LOCALES) -> Path:
    """The catalogue file of `area` in `lang`."""
    return locales / lang / "LC_MESSAGES" / f"{area}.po"


@dataclass(frozen=True)
class Catalogue:
    """One language's messages from every area: (context, English) -> translation."""

    messages: Mapping[tuple[str | None, str], str | tuple[str, ...]] = field(default_factory=dict)
    plurals: int = 2  # plural forms in this language (Chinese has one)

    def gettext(self, message: str) -> str:
        """The translation of `message`, or the message itself when there is none."""
        return self.pgettext(None, message)

    def pgettext(self, context: str | None, message: str) -> str:
        """The translation of `message` in `context` (two meanings of one English word)."""
        found = self.messages.get((context, message))
        if isinstance(found, tuple):
            found = found[0]
        return found or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form for `n` things; English's rule when untranslated."""
        found = self.messages.get((None, singular))
        index = 0 if self.plurals == 1 else int(n != 1)
        if isinstance(found, tuple) and index < len(found) and found[index]:
            return found[index]
        return singular if n == 1 else plural


def read_catalogue(paths: Iterable[Path]) -> Catalogue:
    """The translated messages of the .po files `paths`, merged; fuzzy and empty ones are left
    out (they show in English). The same message in two files keeps the first translation."""
    from babel.messages.pofile import read_po  # only where catalogues are read

    messages: dict[tuple[str | None, str], str | tuple[str, ...]] = {}
    plurals = 2
    for path in paths:
        with open(path, "rb") as f:
            catalog = read_po(f)
        plurals = catalog.num_plurals
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            key = (message.context, message.id[0] if message.pluralizable else message.id)
            text = tuple(message.string) if message.pluralizable else message.string
            if (all(text) if isinstance(text, tuple) else text) and key not in messages:
                messages[key] = text
    return Catalogue(messages, plurals)


RECHECK_SECONDS = (
    2.0  # how often the files' times are looked at (a rerun calls _() hundreds of times)
)
_checked: dict[tuple[str, Path], tuple[float, Catalogue]] = {}


def catalogue(lang: str, locales: Path = LOCALES, recheck: float = RECHECK_SECONDS) -> Catalogue:
    """The catalogue of `lang` (empty for English), read again when a file changed (looked at
    no more than every `recheck` seconds)."""
    now = time.monotonic()
    known = _checked.get((lang, locales))
    if known and now - known[0] < recheck:
        return known[1]
    paths = sorted((locales / lang / "LC_MESSAGES").glob("*.po")) if lang != SOURCE else []
    found = _cached(tuple((p, p.stat().st_mtime_ns) for p in paths))
    _checked[(lang, locales)] = (now, found)
    return found


@functools.lru_cache(maxsize=8)
def _cached(files: tuple[tuple[Path, int], ...]) -> Catalogue:
    return read_catalogue(p for p, _ in files)
