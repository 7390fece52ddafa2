"""Small helpers that print results reproducibly in the chapters.

Notebook outputs are compared text for text when the book is tested, so numbers that
only differ by rounding noise from one machine to the next (a difference of 1e-16
between two implementations, say) must not be printed digit for digit.
:func:`format_error` prints such a number as a bound ("< 1e-12") when it is below a floor
and rounded otherwise; :func:`markdown_table` builds the tables the chapters display.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["format_error", "markdown_table"]


def format_error(value: float, floor: float = 1e-12, digits: int = 2) -> str:
    """``"< 1e-12"`` for a non-negative error below ``floor``, else the value with ``digits`` significant digits.

    >>> format_error(3.3e-17), format_error(2.5e-9, floor=1e-12), format_error(0.1234)
    ('< 1e-12', '2.5e-09', '0.12')
    """
    value = float(value)
    if math.isnan(value) or value < 0:
        raise ValueError(f"an error is a number ≥ 0; got {value!r}")
    if not floor > 0:
        raise ValueError(f"floor must be positive; got {floor!r}")
    if value < floor:
        return f"< {floor:.0e}"
    if math.isinf(value):
        return "inf"
    if value >= 1e-3:
        return f"{value:.{digits}g}"
    return f"{value:.{max(digits - 1, 0)}e}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table: one header row, then one row per item of ``rows``.

    Cells are converted with ``str``; a ``|`` inside a cell or a header is escaped.
    """
    header = [str(h).replace("|", r"\|") for h in header]
    if not header:
        raise ValueError("a table needs at least one column")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [str(c).replace("|", r"\|") for c in row]
        if len(cells) != len(header):
            raise ValueError(f"every row needs {len(header)} cells; got {len(cells)}: {cells}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
