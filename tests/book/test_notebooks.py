"""The chapter notebooks: named by the convention, fully executed, with outputs that can be compared."""
from __future__ import annotations

import re

import pytest
from book_sources import chapter_notebooks, read_notebook, rel

NOTEBOOKS = chapter_notebooks()
NAME = re.compile(r"^book/part\d+/ch\d\d_[a-z0-9_]+\.ipynb$")
ABSOLUTE_PATH = re.compile(r"(?<![\w.])(/(home|root|tmp|Users|work|usr|opt|var|private)/|[A-Za-z]:\\\\)")
MEMORY_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
TIMING = re.compile(r"(Wall time|CPU times|elapsed|took \d|\d+(\.\d+)?\s?(ms|µs|us|ns)\b|\d\s?(it/s|s/it)\b)", re.I)
TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex", "image/svg+xml", "application/json")


def _outputs_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        for mime in TEXT_MIMES:
            parts.append(str(output.get("data", {}).get(mime, "")))
        parts += output.get("traceback", [])
    return "\n".join(parts)


def _code_cells(path):
    return [c for c in read_notebook(path)["cells"] if c["cell_type"] == "code"]


def test_there_are_chapters():
    assert rel(NOTEBOOKS[0]) == "book/part1/ch01_sequence_data.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=rel)
def test_name_and_kernel(path):
    assert NAME.match(rel(path)), f"{rel(path)}: chapters are book/partN/chNN_slug.ipynb"
    assert read_notebook(path)["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=rel)
def test_every_code_cell_ran_in_order_and_has_an_output(path):
    cells = _code_cells(path)
    assert cells
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), \
        f"{rel(path)}: execution counts {counts}; run `python -m seqlab.book execute {rel(path)}`"
    for k, cell in enumerate(cells, start=1):
        assert cell["outputs"], f"{rel(path)}: code cell {k} has no stored output (end it with a print or a figure)"
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        assert not errors or "NBVAL_RAISES_EXCEPTION" in "".join(cell["source"]), f"{rel(path)}: cell {k} raised"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=rel)
def test_outputs_are_reproducible(path):
    for k, cell in enumerate(_code_cells(path), start=1):
        text = _outputs_text(cell)
        for what, pattern in (("an absolute path", ABSOLUTE_PATH), ("a memory address", MEMORY_ADDRESS),
                              ("a timing", TIMING)):
            found = pattern.search(text)
            assert not found, f"{rel(path)}: code cell {k} prints {what}: {found.group(0)!r}"


def test_the_patterns_catch_what_they_should():
    assert ABSOLUTE_PATH.search("saved to /home/ann/x.npy") and ABSOLUTE_PATH.search(r"C:\\Users\\ann")
    assert not ABSOLUTE_PATH.search("n_a / n_x and 1/2 and ../data/x.csv")
    assert MEMORY_ADDRESS.search("<matplotlib.lines.Line2D at 0x7f3a2b1c9d90>")
    assert not MEMORY_ADDRESS.search("0x10 flags")
    for timing in ("CPU times: user 3 ms", "Wall time: 1.2 s", "took 3.1 s", "12.5 ms per step", "100it [00:01, 85.3it/s]"):
        assert TIMING.search(timing), timing
    assert not TIMING.search("loss 0.25 after 10 steps; 73.2 MiB")
