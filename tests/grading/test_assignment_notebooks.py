"""The nbgrader course: the committed release is what ``nbgrader generate_assignment`` makes
of the source, it holds no solution and no hidden test, and the source gets full marks
under ``nbgrader autograde``."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grading_helpers import ASSIGNMENTS, COURSE, cell_source, grade_id, load, release_path, source_path

NBGRADER_SCRIPT = textwrap.dedent("""
    import json, sys
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from nbgrader.api import Gradebook

    out = {}
    for job in json.loads(sys.argv[1]):
        root, mode, assignments = job["root"], job["mode"], job["assignments"]
        cfg = Config()
        cfg.CourseDirectory.root = root
        cfg.CourseDirectory.course_id = "seqlab"
        cfg.ExecutePreprocessor.timeout = 120
        if mode == "no-db":
            cfg.SaveCells.enabled = False
            cfg.GenerateAssignment.no_database = True
        api = NbGraderAPI(coursedir=CourseDirectory(config=cfg, root=root), config=cfg)
        for a in assignments:
            r = api.generate_assignment(a, force=True)
            assert r["success"], r.get("error")
            if mode == "autograde":
                r = api.autograde(a, "student", force=True, create=True)
                assert r["success"], r.get("error")
        if mode == "autograde":
            with Gradebook(f"sqlite:///{root}/gradebook.db") as gb:
                for a in assignments:
                    s = gb.find_submission(a, "student")
                    out[a] = [s.score, s.max_score]
    print("RESULT " + json.dumps(out))
""")


def run_nbgrader(jobs: list[dict]) -> dict:
    """Run nbgrader's API on (root, mode, assignments) jobs in one process (one slow import)."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    jobs = [dict(j, root=str(j["root"]), assignments=list(j["assignments"])) for j in jobs]
    result = subprocess.run([sys.executable, "-c", NBGRADER_SCRIPT, json.dumps(jobs)],
                            capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def submitted_course(tmp: Path, assignments) -> Path:
    root = course_copy(tmp)
    for a in assignments:
        target = root / "submitted" / "student" / a
        target.mkdir(parents=True)
        shutil.copy(source_path(a), target / f"{a}.ipynb")
    return root


@pytest.fixture(scope="module")
def nbgrader_run(tmp_path_factory):
    """One nbgrader process: generate every release without a database, and autograde A1's
    source submitted as a student's notebook."""
    fresh = course_copy(tmp_path_factory.mktemp("fresh"))
    graded = submitted_course(tmp_path_factory.mktemp("graded"), ["A1"])
    scores = run_nbgrader([{"root": fresh, "mode": "no-db", "assignments": ASSIGNMENTS},
                           {"root": graded, "mode": "autograde", "assignments": ["A1"]}])
    return fresh, scores


def course_copy(tmp: Path) -> Path:
    root = tmp / "course"
    shutil.copytree(COURSE / "source", root / "source")
    shutil.copy(COURSE / "nbgrader_config.py", root / "nbgrader_config.py")
    return root


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_has_no_solution_and_no_hidden_test(assignment):
    source, release = load(source_path(assignment)), load(release_path(assignment))
    text = json.dumps(release)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "hidden_tests"):
        assert marker not in text
    released = {grade_id(c): cell_source(c) for c in release["cells"]}
    for cell in source["cells"]:
        src = cell_source(cell)
        if "### BEGIN SOLUTION" in src:
            body = src.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            stub = released[grade_id(cell)]
            assert "raise NotImplementedError()" in stub
            for line in body.splitlines():
                if len(line.strip()) > 12:
                    assert line.strip() not in stub, line
        if "### BEGIN HIDDEN TESTS" in src:
            hidden = src.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            for line in hidden.strip().splitlines():
                assert line.strip() not in text


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_keeps_everything_else(assignment):
    source, release = load(source_path(assignment)), load(release_path(assignment))
    assert len(source["cells"]) == len(release["cells"])
    for s, r in zip(source["cells"], release["cells"]):
        assert s["cell_type"] == r["cell_type"] and grade_id(s) == grade_id(r)
        if "BEGIN" not in cell_source(s):
            assert cell_source(s) == cell_source(r)
        if r["cell_type"] == "code":
            assert r["outputs"] == []


def test_committed_release_is_what_nbgrader_generates(nbgrader_run):
    root, _ = nbgrader_run
    for a in ASSIGNMENTS:
        fresh = json.loads((root / "release" / a / f"{a}.ipynb").read_text(encoding="utf-8"))
        committed = load(release_path(a))
        assert fresh == committed, f"book/assignments/release/{a} is out of date: regenerate it"


def test_source_scores_full_marks_under_nbgrader_autograde(nbgrader_run):
    _, scores = nbgrader_run
    score, max_score = scores["A1"]
    assert score == max_score == 50


@pytest.mark.slow
def test_every_source_scores_full_marks_under_nbgrader_autograde(tmp_path):
    scores = run_nbgrader([{"root": submitted_course(tmp_path, ["A2", "A3"]), "mode": "autograde",
                            "assignments": ["A2", "A3"]}])
    assert scores == {"A2": [60.0, 60.0], "A3": [35.0, 35.0]}
