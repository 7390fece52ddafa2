"""Shared helpers of the grading tests: the course folder, notebooks with edited answer
cells, and running ``seqlab grade`` as instructors do (a separate process).

(A uniquely named module rather than conftest.py, so that ``from grading_helpers import``
never meets another folder's conftest.)
"""
from __future__ import annotations

import copy
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "book" / "assignments"
ASSIGNMENTS = ("A1", "A2", "A3")


def source_path(assignment: str) -> Path:
    return COURSE / "source" / assignment / f"{assignment}.ipynb"


def release_path(assignment: str) -> Path:
    return COURSE / "release" / assignment / f"{assignment}.ipynb"


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def grade_id(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def answer_cell(assignment: str, gid: str) -> str:
    """The solution code of one answer cell of the source notebook (markers removed)."""
    for cell in load(source_path(assignment))["cells"]:
        if grade_id(cell) == gid:
            lines = [ln for ln in cell_source(cell).splitlines(True)
                     if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
            return "".join(lines)
    raise KeyError(gid)


def mutate(assignment: str, gid: str, old: str, new: str) -> str:
    """The answer cell with ``old`` replaced by ``new`` (``old`` must occur in it)."""
    src = answer_cell(assignment, gid)
    assert old in src, f"{old!r} not found in the answer cell {gid!r} of {assignment}"
    return src.replace(old, new)


def submission(tmp: Path, name: str, assignment: str, answers: dict[str, str] | None = None,
               base: str = "release") -> Path:
    """A notebook like the release (or source) with some answer cells replaced."""
    nb = copy.deepcopy(load(release_path(assignment) if base == "release" else source_path(assignment)))
    answers = dict(answers or {})
    for cell in nb["cells"]:
        gid = grade_id(cell)
        if gid in answers:
            cell["source"] = answers.pop(gid)
    assert not answers, f"no such answer cells: {sorted(answers)}"
    path = tmp / f"{name}.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def run_grade(args: list[str], cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess:
    """``python -m seqlab grade ARGS`` in ``cwd``."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    return subprocess.run([sys.executable, "-m", "seqlab", "grade", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def read_grades(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
