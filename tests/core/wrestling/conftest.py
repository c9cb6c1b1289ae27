"""Fixtures of the wrestling tests: the course's expert data, where it is present."""

from pathlib import Path

import pytest

from core.wrestling.data import COURSE_ZIP, COURSE_ZIP_VARIABLE, course_zip


@pytest.fixture(scope="session")
def course_data_zip() -> Path:
    """The course's zip (core.wrestling.data.course_zip); tests that need it skip without it."""
    path = course_zip()
    if path is None:
        pytest.skip(f"the course's data is absent: {COURSE_ZIP} (or ${COURSE_ZIP_VARIABLE})")
    return path


@pytest.fixture(scope="session")
def shipped():
    """The BC policy shipped in assets/."""
    from core.wrestling import export

    return export.shipped_policy()
