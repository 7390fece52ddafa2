"""The hand-written sources of the book, for the book tests."""
from __future__ import annotations

import json
import re
from pathlib import Path

from seqlab import book

ROOT = book.ROOT


def chapter_notebooks() -> list[Path]:
    """Every notebook of the chapters (book/partN/...), not the assignments."""
    return sorted(p for p in ROOT.glob("book/part*/**/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def book_pages() -> list[Path]:
    """Every page written by hand: chapter notebooks and Markdown pages (not the generated ones)."""
    pages = chapter_notebooks() + sorted(ROOT.glob("book/part*/**/*.md")) + sorted(ROOT.glob("book/*.md"))
    return [p for p in pages if p != ROOT / book.NOTATION_PAGE]


def read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def markdown_sources(path: Path) -> list[str]:
    """The Markdown of a page: the whole file, or each markdown cell of a notebook."""
    if path.suffix == ".md":
        return [path.read_text(encoding="utf-8")]
    return ["".join(c["source"]) for c in read_notebook(path)["cells"] if c["cell_type"] == "markdown"]


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
_CODE_SPAN = re.compile(r"(?<!`)`(?!`)[^`\n]+`(?!`)")


def strip_code(markdown: str) -> str:
    """Markdown without its code blocks and code spans (examples of syntax are not content).

    ```` ```{directive} ```` fences stay: their body is Markdown. A code block may show
    directives inside a longer fence (```` ````md ````), as the contributing page does.
    """
    kept, open_fences = [], []  # open fences: (character, length, is a code block)
    for line in markdown.splitlines(keepends=True):
        in_code = bool(open_fences) and open_fences[-1][2]
        fence = _FENCE.match(line)
        if fence:
            marks, info = fence.group(1), fence.group(2).strip()
            top = open_fences[-1] if open_fences else None
            if top and marks[0] == top[0] and len(marks) >= top[1] and not info:
                open_fences.pop()
                if not top[2]:
                    kept.append(line)
                continue
            if not in_code:
                open_fences.append((marks[0], len(marks), not info.startswith("{")))
                if info.startswith("{"):
                    kept.append(line)
                continue
        if not in_code:
            kept.append(line)
    return _CODE_SPAN.sub("", "".join(kept))
