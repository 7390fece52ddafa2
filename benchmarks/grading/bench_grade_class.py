"""Benchmark: grade a class of 200 A1 submissions with ``seqlab grade`` on 2 cores.

The class is made from the A1 notebooks: complete solutions, solutions with one typical
mistake, half-done and untouched releases.  The grader runs as instructors run it (the
console command, ``--jobs 2``); the wall-clock time and the grade distribution are
written to a JSON results file.  Target: ≤ 300 s.

    python benchmarks/grading/bench_grade_class.py [--students 200] [--jobs 2]
        [--out benchmarks/results/grading-class-A1.json]
"""
from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "book" / "assignments"

#: (answer cell, code in the solution, mistaken code) -- one of them per "one mistake" student
MISTAKES = [
    ("rnn_cell_forward", "Wax @ xt + ba)", "Wax @ xt)"),
    ("rnn_cell_forward", "np.tanh(Waa", "sigmoid(Waa"),
    ("rnn_forward", "x[:, :, t], a_next, parameters", "x[:, :, t], a0, parameters"),
    ("rnn_cell_backward", "(1 - a_next ** 2)", "(1 - np.tanh(a_next) ** 2)"),
    ("rnn_backward", "reversed(range(T_x))", "reversed(range(T_x - 1))"),
    ("rnn_backward", "dWax += ", "dWax = "),
]


def _cells(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _gid(cell: dict):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def make_class(folder: Path, students: int) -> list[str]:
    """``students`` notebooks in ``folder``/submitted/<student>/A1/A1.ipynb."""
    source = _cells(COURSE / "source" / "A1" / "A1.ipynb")
    release = _cells(COURSE / "release" / "A1" / "A1.ipynb")
    answers = {_gid(c): "".join(line for line in c["source"]
                                if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
               for c in source["cells"] if "### BEGIN SOLUTION" in "".join(c["source"])}
    paths = []
    for i in range(students):
        nb = copy.deepcopy(release)
        kind = i % 10
        mine = dict(answers)
        if kind in (7, 8):                       # one typical mistake
            cell, old, new = MISTAKES[i % len(MISTAKES)]
            mine[cell] = mine[cell].replace(old, new)
        elif kind == 9 and i % 20 == 9:          # untouched release
            mine = {}
        elif kind == 9:                          # half done
            mine = {k: v for k, v in mine.items() if k in ("rnn_cell_forward", "rnn_forward")}
        for c in nb["cells"]:
            if _gid(c) in mine:
                c["source"] = mine[_gid(c)]
        target = folder / "submitted" / f"student{i:03d}" / "A1" / "A1.ipynb"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(nb), encoding="utf-8")
        paths.append(str(target.relative_to(folder)))
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "grading-class-A1.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="seqlab-bench-") as tmp:
        folder = Path(tmp)
        paths = make_class(folder, args.students)
        start = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "seqlab", "grade", "A1", *paths, "--out", "grades.csv",
                                 "--jobs", str(args.jobs), "--quiet"], cwd=folder, capture_output=True, text=True)
        seconds = time.monotonic() - start
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return 1
        with open(folder / "grades.csv", newline="") as f:
            totals = [float(r["total"]) for r in csv.DictReader(f)]
    summary = {
        "benchmark": "seqlab grade A1, a class of submissions",
        "students": args.students, "jobs": args.jobs, "wall_seconds": round(seconds, 2),
        "seconds_per_submission": round(seconds / args.students, 4), "target_seconds": 300,
        "within_target": seconds <= 300,
        "full_marks": sum(t == 50 for t in totals), "zero": sum(t == 0 for t in totals),
        "mean_total": round(sum(totals) / len(totals), 2),
        "cpus": os.cpu_count(), "python": platform.python_version(), "machine": platform.machine(),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))
    return 0 if summary["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
