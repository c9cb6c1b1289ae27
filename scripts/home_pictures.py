"""Draw the Home page's chapter pictures from the app's own charts: python -m scripts.home_pictures

Starts the app on a free loopback port, opens every chapter in presenter mode at 1280 x 720
in Chromium (Playwright), photographs the chapter's main picture (its largest chart, graph or
image, as the layout test's slide rule defines it) and saves it, shrunk, to
assets/home/<chapter>.png (in Chinese, ``--lang zh``: assets/home/zh/<chapter>.png, whose
chart titles and axes are Chinese). Run it again after a chapter's picture changes.
"""

import argparse
import io
import os
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app_pages.outline import chapters  # noqa: E402
from scripts.app_server import serve  # noqa: E402

OUT = ROOT / "assets" / "home"
WIDTH, HEIGHT = 480, 300  # px of each saved picture, the same for every chapter (a card)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]

# the largest visible picture of the main area (icons aside), as the slide rule picks it
LARGEST = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const pics = [...main.querySelectorAll('canvas, svg, img')]
    .filter(el => el.checkVisibility() && !(el.tagName === 'svg' && el.parentElement.closest('svg')))
    .map(el => ({el, r: el.getBoundingClientRect()}))
    .filter(p => p.r.width * p.r.height > 2000)
    .sort((a, b) => b.r.width * b.r.height - a.r.width * a.r.height);
  if (!pics.length) return false;
  document.querySelectorAll('[data-home-picture]').forEach(e => e.removeAttribute('data-home-picture'));
  pics[0].el.setAttribute('data-home-picture', '1');
  return true;
}"""


def shrink(png: bytes, width: int = WIDTH, height: int = HEIGHT) -> Image.Image:
    """The photographed picture scaled into a `width` x `height` card (aspect kept, centred on
    white), so every chapter's card has the same size."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    scale = min(width / image.width, height / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    card = Image.new("RGB", (width, height), "white")
    card.paste(image.resize(size, Image.LANCZOS), ((width - size[0]) // 2, (height - size[1]) // 2))
    return card


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="chapter url paths (default: every chapter)")
    parser.add_argument("--lang", default="en", choices=["en", "zh"], help="the app's language")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    out = OUT if args.lang == "en" else OUT / args.lang
    out.mkdir(parents=True, exist_ok=True)
    with serve() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        for chapter in chapters():
            if args.only and chapter.url_path not in args.only:
                continue
            page.goto(f"{url}/{chapter.url_path}?present=1&predict=0&lang={args.lang}")
            page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
            page.wait_for_timeout(6000)  # the page's charts drawn and settled
            if not page.evaluate(LARGEST):
                print(f"{chapter.url_path}: no picture found", file=sys.stderr)
                continue
            shot = page.locator("[data-home-picture]").screenshot()
            path = out / f"{chapter.url_path}.png"
            shrink(shot).save(path, optimize=True)
            print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")
        browser.close()


if __name__ == "__main__":
    main()
