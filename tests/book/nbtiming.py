"""pytest plugin: a table of each notebook's execution time at the end of a ``--nbval`` run.

Loaded by the README's test command (``.ci/test``) with ``-p tests.book.nbtiming``. A chapter
must run in at most ``BUDGET`` seconds on 2 CPU cores (kernel start included); the table marks
the ones over it.
"""
from __future__ import annotations

import os
from collections import defaultdict

import pytest

BUDGET = 60.0

_times: dict[str, float] = defaultdict(float)
_cells: dict[str, int] = defaultdict(int)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if item.path.suffix == ".ipynb":
        name = os.path.relpath(item.path, item.config.invocation_params.dir)
        _times[name] += report.duration
        _cells[name] += report.when == "call"
    return report


def pytest_terminal_summary(terminalreporter):
    if not _times:
        return
    width = max(len(name) for name in _times)
    terminalreporter.section("notebook execution times")
    terminalreporter.write_line(f"{'notebook':<{width}}  cells  seconds")
    for name in sorted(_times):
        over = f"  over the {BUDGET:.0f} s budget" if _times[name] > BUDGET else ""
        terminalreporter.write_line(f"{name:<{width}}  {_cells[name]:5d}  {_times[name]:7.1f}{over}")
    terminalreporter.write_line(f"{'total':<{width}}  {sum(_cells.values()):5d}  {sum(_times.values()):7.1f}")
