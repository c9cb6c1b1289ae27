"""The catalogues, area by area: `python scripts/translations.py update [AREA ...]`.

    update [AREA ...]   extract the area's English messages from its files (core.i18n.AREAS) with
                        `pybabel extract`, then `pybabel update` (or `init`, the first time) its
                        Chinese catalogue locales/zh/LC_MESSAGES/AREA.po: new messages arrive
                        empty, changed ones fuzzy with the previous English, gone ones dropped
    check [AREA ...]    list the messages still untranslated or fuzzy (exit 1 if any)
    areas               each area and its files

No AREA means every area. Nothing needs compiling: the app reads the .po files at start.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from babel.messages.frontend import CommandLineInterface  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

from core.i18n import AREAS, LANGUAGES, ROOT, SOURCE, area_files, po_path  # noqa: E402

KEYWORDS = ["-k", "t"]  # besides pybabel's own (_, gettext, ngettext, pgettext, N_, ...)
TRANSLATED = [lang for lang in LANGUAGES if lang != SOURCE]


def pybabel(*args: str) -> None:
    """Run one pybabel command in this process, from the repository root, quietly."""
    CommandLineInterface().run(["pybabel", "--quiet", *args])


def extract(area: str) -> Path:
    """The area's messages as a template (build/locales/AREA.pot, never committed)."""
    pot = ROOT / "build" / "locales" / f"{area}.pot"
    pot.parent.mkdir(parents=True, exist_ok=True)
    files = area_files(area)
    opts = ["-F", str(ROOT / "babel.cfg"), *KEYWORDS, "--no-wrap", "--sort-by-file"]
    opts += ["--project", "PyTorch, live", "--copyright-holder", "the PyTorch, live authors"]
    opts += ["--msgid-bugs-address", "", "-o", str(pot)]
    pybabel("extract", *opts, *files)
    return pot


def update(area: str) -> None:
    """Bring the area's catalogues up to date with its code."""
    if not area_files(area):
        print(f"{area}: no source files yet, no catalogue")
        return
    pot = extract(area)
    for lang in TRANSLATED:
        po = po_path(lang, area)
        common = ["-i", str(pot), "-d", str(ROOT / "locales"), "-D", area, "-l", lang]
        if po.exists():
            pybabel("update", *common, "--no-wrap", "--previous", "--ignore-obsolete")
        else:
            pybabel("init", *common, "--no-wrap")
        print(f"{po.relative_to(ROOT)}: {len(area_files(area))} source files")


def unfinished(area: str, lang: str) -> list[str]:
    """The messages of one catalogue that are untranslated or fuzzy, as readable lines."""
    po = po_path(lang, area)
    if not po.exists():
        return [f"{po.relative_to(ROOT)} is missing: run `update {area}`"]
    with open(po, "rb") as f:
        catalog = read_po(f)
    out = []
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy or not all(strings):
            state = "fuzzy" if m.fuzzy else "untranslated"
            msgid = m.id[0] if isinstance(m.id, tuple) else m.id
            out.append(f"{po.relative_to(ROOT)}: {state}: {msgid!r}")
    return out


def main(argv: list[str] | None = None) -> int:
    """Parse the command and run it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["update", "check", "areas"])
    parser.add_argument("areas", nargs="*", metavar="AREA", help=", ".join(AREAS))
    args = parser.parse_args(argv)
    unknown = [a for a in args.areas if a not in AREAS]
    if unknown:
        parser.error(f"unknown area(s) {', '.join(unknown)}; the areas: {', '.join(AREAS)}")
    areas = args.areas or list(AREAS)
    if args.command == "areas":
        for area in areas:
            print(f"{area}: {' '.join(area_files(area)) or '(no files yet)'}")
    elif args.command == "update":
        for area in areas:
            update(area)
    else:
        problems = [line for a in areas for lang in TRANSLATED for line in unfinished(a, lang)]
        print("\n".join(problems) or f"every message translated ({', '.join(areas)})")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
