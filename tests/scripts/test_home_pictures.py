"""The Home page's chapter pictures: one card per chapter in each language, all the same size."""

import pytest
from PIL import Image

from app_pages.outline import chapters
from scripts.home_pictures import HEIGHT, OUT, WIDTH


@pytest.mark.parametrize("folder", [OUT, OUT / "zh"], ids=["en", "zh"])
def test_every_chapter_has_its_card_picture(folder):
    for chapter in chapters():
        with Image.open(folder / f"{chapter.url_path}.png") as picture:
            assert picture.size == (WIDTH, HEIGHT), (folder, chapter.url_path)


def test_the_chinese_pictures_are_drawn_in_chinese_not_copied():
    for chapter in chapters():
        english = (OUT / f"{chapter.url_path}.png").read_bytes()
        assert (OUT / "zh" / f"{chapter.url_path}.png").read_bytes() != english, chapter.url_path
