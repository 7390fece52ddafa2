"""Fixtures shared by the test folders: one strict build of the site, for tests/book and tests/browser."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from seqlab import book


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The html folder of the site built like `python -m seqlab.book build` (warnings are errors),
    from the committed pages (the generated ones are checked apart, in test_generated.py)."""
    out = tmp_path_factory.mktemp("site")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        status = book.main(["build", "--output", str(out), "--no-generate"])
    assert status == 0, printed.getvalue()
    index = out / "_build" / "html" / "index.html"
    assert printed.getvalue().splitlines()[-1] == f"The website is at: {index}"
    return index.parent
