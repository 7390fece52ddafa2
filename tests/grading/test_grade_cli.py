"""``seqlab grade``: full marks for the solutions, zero for the release, the CSV, the feedback."""
from __future__ import annotations

import contextlib
import io
import json
import re

import pytest

from grading_helpers import (ASSIGNMENTS, answer_cell, load, mutate, read_grades, release_path, run_grade, source_path, submission)
from seqlab.cli import main
from seqlab.grading.spec import ASSIGNMENTS as SPECS
from seqlab.grading.spec import get_assignment


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every assignment graded once (in this process, as the console command does): the
    source, the release and a submission with two mistakes."""
    tmp = tmp_path_factory.mktemp("graded")
    out = {}
    for a in ASSIGNMENTS:
        subs = [str(source_path(a)), str(release_path(a))]
        if a == "A1":
            subs.append(str(submission(tmp, "A1-two-mistakes", "A1", {
                "rnn_cell_forward": mutate("A1", "rnn_cell_forward", "Wax @ xt + ba", "Wax @ xt"),
                "rnn_backward": mutate("A1", "rnn_backward", "reversed(range(T_x))", "reversed(range(T_x - 1))"),
            }, base="source")))
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            code = main(["grade", a, *subs, "--out", str(tmp / f"{a}.csv"), "--jobs", "2",
                         "--feedback", str(tmp / f"feedback-{a}")])
        assert code == 0
        out[a] = (read_grades(tmp / f"{a}.csv"), tmp / f"feedback-{a}", buf.getvalue())
    return out


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_scores_full_marks(graded, assignment):
    rows, _, _ = graded[assignment]
    spec = get_assignment(assignment)
    row = rows[0]
    assert row["submission"] == str(source_path(assignment))
    for q in spec.questions:
        assert float(row[q.id]) == q.points
    assert float(row["total"]) == float(row["max_total"]) == spec.max_total


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_scores_zero_with_not_implemented_yet(graded, assignment):
    rows, feedback, _ = graded[assignment]
    row = rows[1]
    spec = get_assignment(assignment)
    assert float(row["total"]) == 0 and all(float(row[q.id]) == 0 for q in spec.questions)
    text = next(p for p in feedback.iterdir() if "release" in p.name).read_text(encoding="utf-8")
    for q in spec.questions:
        assert f"{q.function} is not implemented yet" in text


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_csv_columns(graded, assignment):
    rows, _, _ = graded[assignment]
    spec = get_assignment(assignment)
    assert list(rows[0]) == ["submission", *[q.id for q in spec.questions], "total", "max_total"]


def test_mistakes_score_partially_and_feedback_localizes(graded):
    rows, feedback, result = graded["A1"]
    row = rows[2]
    assert (row["rnn_cell_forward"], row["rnn_forward"], row["rnn_cell_backward"], row["rnn_backward"]) == \
        ("0", "0", "15", "0")
    assert row["total"] == "15"
    text = next(feedback.glob("*A1-two-mistakes.txt")).read_text(encoding="utf-8")
    assert "The bias b_a is missing from a^<t>" in text
    assert "skips the last step t = T_x" in text
    assert "rnn_forward calls your rnn_cell_forward, which did not pass" in text
    assert "15 / 50" in text
    assert "15/50" in result


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_shows_no_hidden_test_or_input(graded, assignment):
    _, feedback, _ = graded[assignment]
    hidden = []
    for cell in load(source_path(assignment))["cells"]:
        src = "".join(cell["source"])
        if "### BEGIN HIDDEN TESTS" in src:
            hidden.append(src.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0].strip())
    for path in feedback.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "HIDDEN" not in text and "hidden_tests" not in text and "seed=" not in text
        for block in hidden:
            assert block not in text
        # no arrays of numbers (hidden inputs or expected values)
        assert not re.search(r"-?\d+\.\d{4,}", text), text


def test_unknown_assignment_and_bad_options(tmp_path):
    result = run_grade(["A9", str(source_path("A1")), "--out", str(tmp_path / "g.csv")], cwd=tmp_path)
    assert result.returncode == 2 and "unknown assignment 'A9'" in result.stderr
    result = run_grade(["A1", str(source_path("A1")), "--out", str(tmp_path / "g.csv"), "--jobs", "0"], cwd=tmp_path)
    assert result.returncode == 2 and "--jobs" in result.stderr
    assert not (tmp_path / "g.csv").exists()


def test_unreadable_and_foreign_notebooks_score_zero(tmp_path):
    (tmp_path / "broken.ipynb").write_text("{not json", encoding="utf-8")
    (tmp_path / "other.ipynb").write_text(json.dumps({"cells": [], "nbformat": 4}), encoding="utf-8")
    result = run_grade(["A1", "broken.ipynb", "other.ipynb", "missing.ipynb", "--out", "g.csv",
                        "--feedback", "fb", "--quiet"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    rows = read_grades(tmp_path / "g.csv")
    assert [r["submission"] for r in rows] == ["broken.ipynb", "other.ipynb", "missing.ipynb"]
    assert all(r["total"] == "0" for r in rows)
    assert "could not read the notebook" in (tmp_path / "fb" / "broken.txt").read_text()
    assert "the answer cell 'rnn_forward' is missing" in (tmp_path / "fb" / "other.txt").read_text()


def test_spec_matches_the_source_notebooks():
    """Setup cell, answer cells, test cells and points agree with seqlab.grading.spec."""
    for name, spec in SPECS.items():
        cells = load(source_path(name))["cells"]
        meta = {c["metadata"]["nbgrader"]["grade_id"]: (c, c["metadata"]["nbgrader"]) for c in cells
                if "nbgrader" in c.get("metadata", {})}
        assert "".join(meta["setup"][0]["source"]) == spec.setup_code
        for q in spec.questions:
            assert meta[q.solution_cell][1]["solution"] is True
            assert f"def {q.function}(" in "".join(meta[q.solution_cell][0]["source"])
            test_meta = meta[q.test_cell][1]
            assert test_meta["grade"] is True and test_meta["points"] == q.points
            assert f"check_{q.id}({q.function})" in "".join(meta[q.test_cell][0]["source"])
        total = sum(m["points"] for _, m in meta.values() if m.get("grade"))
        assert total == spec.max_total


def test_in_process_batch_with_a_crash_and_a_timeout(tmp_path, capsys):
    """The console command in this process: a hanging and a crashing submission score what
    they earned before, with the reason in their feedback."""
    honest = answer_cell("A1", "rnn_cell_forward")
    hang = submission(tmp_path, "hang", "A1", {"rnn_cell_forward": honest,
                                               "rnn_forward": "def rnn_forward(*a):\n    while True:\n        pass\n"})
    crash = submission(tmp_path, "crash", "A1", {"rnn_cell_forward": honest,
                                                 "rnn_forward": "import os\ndef rnn_forward(*a):\n    os._exit(3)\n"})
    code = main(["grade", "A1", str(hang), str(crash), "--out", str(tmp_path / "g.csv"), "--timeout", "2",
                 "--jobs", "2", "--feedback", str(tmp_path / "fb"), "--no-landlock"])
    assert code == 0
    rows = read_grades(tmp_path / "g.csv")
    assert [r["total"] for r in rows] == ["10", "10"]
    assert "timed out after 2 s" in next((tmp_path / "fb").glob("*hang.txt")).read_text()
    assert "exited with status 3" in next((tmp_path / "fb").glob("*crash.txt")).read_text()
    assert "graded 2 submission(s) of A1" in capsys.readouterr().out


def test_option_limits_and_lazy_package_attributes(tmp_path, capsys):
    assert main(["grade", "A1", "x.ipynb", "--out", str(tmp_path / "g.csv"), "--memory", "64"]) == 2
    assert "--memory" in capsys.readouterr().err
    import seqlab.grading as grading
    from seqlab.grading.runner import sandbox_warning
    assert grading.get_assignment("a2").id == "A2" and "A3" in grading.ASSIGNMENTS
    assert callable(grading.grade_batch) and callable(grading.grade_submission)
    with pytest.raises(AttributeError):
        grading.nothing_here
    assert sandbox_warning(False) is None
