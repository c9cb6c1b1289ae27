"""Time each page's first render (a fresh session, through the real navigation).

Run by hand: `python bench/pages.py [repeats]`. Prints seconds per page against the 1.5 s target.
AppTest runs the script in-process, so the figure is the server-side render time a visitor waits
for before the browser draws.
"""

import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app_pages.outline import HOME, chapters  # noqa: E402

TARGET_S = 1.5


def first_render_seconds(chapter) -> float:
    """Seconds for a new session to render one page (navigation included)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    at.run()
    start = time.perf_counter()
    at.switch_page(chapter.path).run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"{chapter.path}: {at.exception[0].value}")
    return elapsed


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"{'page':40s} {'first':>8s} {'median':>8s}  target {TARGET_S} s")
    for chapter in [HOME, *chapters()]:
        times = [first_render_seconds(chapter) for _ in range(repeats)]
        verdict = "ok" if statistics.median(times) <= TARGET_S else "SLOW"
        print(
            f"{chapter.title:40s} {times[0]:8.2f} {statistics.median(times):8.2f}  "
            f"{statistics.median(times) / TARGET_S:5.2f}x target  {verdict}"
        )


if __name__ == "__main__":
    main()
