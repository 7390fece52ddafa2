"""The nbval run of the README's test command: sanitized comparison and the timing table."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
from book_sources import ROOT

from seqlab import book


def test_nbval_run_with_the_sanitize_file_and_the_timing_table(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("print(round(2 / 3, 4))"),
                nbformat.v4.new_code_cell("object()  # its repr holds a memory address")]
    path = tmp_path / "ch99_tiny.ipynb"
    nbformat.write(nb, path)
    book.execute(path)
    command = [sys.executable, "-m", "pytest", "-p", "tests.book.nbtiming", "--nbval", "-q", "-p", "no:cacheprovider",
               "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), str(path)]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout, result.stdout
    assert "notebook execution times" in result.stdout
    row = next(line for line in result.stdout.splitlines() if line.startswith("ch99_tiny.ipynb"))
    assert row.split()[1] == "2" and float(row.split()[2]) > 0


def test_timing_table_marks_notebooks_over_budget(monkeypatch):
    import nbtiming

    monkeypatch.setattr(nbtiming, "_times", nbtiming.defaultdict(float))
    monkeypatch.setattr(nbtiming, "_cells", nbtiming.defaultdict(int))
    config = SimpleNamespace(invocation_params=SimpleNamespace(dir=Path("/repo")))
    for path, when, duration in [("a/ch01_a.ipynb", "setup", 2.0), ("a/ch01_a.ipynb", "call", 1.5),
                                 ("b/ch08_b.ipynb", "call", 61.0), ("tests/test_x.py", "call", 9.0)]:
        item = SimpleNamespace(path=Path("/repo") / path, config=config)
        hook = nbtiming.pytest_runtest_makereport(item, None)
        next(hook)
        try:
            hook.send(SimpleNamespace(when=when, duration=duration))
        except StopIteration:
            pass
    lines = []
    reporter = SimpleNamespace(section=lambda title: lines.append(f"== {title}"), write_line=lines.append)
    nbtiming.pytest_terminal_summary(reporter)
    assert lines == ["== notebook execution times",
                     "notebook        cells  seconds",
                     "a/ch01_a.ipynb      1      3.5",
                     "b/ch08_b.ipynb      1     61.0  over the 60 s budget",
                     "total               2     64.5"]
