"""seqlab.report: reproducible printing of errors and Markdown tables."""
from __future__ import annotations

import math

import pytest

from seqlab.report import format_error, markdown_table


def test_format_error():
    assert format_error(0.0) == "< 1e-12"
    assert format_error(3e-17) == "< 1e-12"
    assert format_error(3e-17, floor=1e-20) == "3.0e-17"
    assert format_error(2.54e-9) == "2.5e-09"
    assert format_error(0.01234) == "0.012"
    assert format_error(12.34) == "12"
    assert format_error(math.inf) == "inf"
    assert format_error(5e-9, floor=1e-8) == "< 1e-08"
    with pytest.raises(ValueError):
        format_error(-1.0)
    with pytest.raises(ValueError):
        format_error(float("nan"))
    with pytest.raises(ValueError):
        format_error(1.0, floor=0)


def test_markdown_table():
    text = markdown_table(["a", "b"], [[1, "x|y"], [2.5, None]])
    assert text.splitlines() == ["| a | b |", "|---|---|", r"| 1 | x\|y |", "| 2.5 | None |"]
    assert markdown_table(["max |d|"], [[1]]).splitlines()[0] == r"| max \|d\| |"
    with pytest.raises(ValueError):
        markdown_table([], [])
    with pytest.raises(ValueError, match="2 cells"):
        markdown_table(["a", "b"], [[1]])
