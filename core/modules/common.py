"""What the module chapter's examples share: PyTorch's error text, shown plainly."""

import re

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def error_text(err: BaseException) -> str:
    """PyTorch's own message for an error, without terminal colour codes."""
    return _ANSI.sub("", str(err)).strip()
