"""Hostile submissions: none of them raises a grade, and the batch goes on.

Every attack replaces answer cells of the A1 release (a blank submission scores 0); some
keep an honest ``rnn_cell_forward`` to show that a crash later keeps what was earned.
"""
from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest

from grading_helpers import ROOT, answer_cell, read_grades, run_grade, source_path, submission
from seqlab.grading.sandbox import landlock_abi

DELAY = 2.0
HONEST_CELL = answer_cell("A1", "rnn_cell_forward")


def code(text: str, **values) -> str:
    text = textwrap.dedent(text)
    for key, value in values.items():
        text = text.replace(key, repr(str(value)))
    return text


def attacks(tmp: Path, grades: Path, marker: Path) -> dict[str, dict[str, str]]:
    """name -> answer cells replaced."""
    return {
        "patch_numpy": {"rnn_cell_forward": code("""
            import numpy
            numpy.allclose = lambda *a, **k: True
            numpy.isclose = lambda *a, **k: True
            numpy.array_equal = lambda *a, **k: True
            numpy.testing.assert_allclose = lambda *a, **k: None
            def rnn_cell_forward(xt, a_prev, parameters):
                z = numpy.zeros((parameters["Waa"].shape[0], xt.shape[1]))
                y = numpy.zeros((parameters["Wya"].shape[0], xt.shape[1]))
                return z, y, (z, a_prev, xt, parameters)
            """)},
        "patch_builtins": {"rnn_cell_forward": code("""
            import builtins, json
            builtins.isinstance = lambda *a: True
            builtins.float = lambda *a: 0.0
            json.loads = lambda *a, **k: {"type": "done"}
            """) + HONEST_CELL},
        "ipython_transformer": {"rnn_cell_forward": code("""
            get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])
            def rnn_cell_forward(*args):
                return 1
            """), "rnn_forward": code("""
            import IPython
            IPython.get_ipython().input_transformers_post.append(lambda lines: [])
            """)},
        "read_source": {"rnn_cell_forward": code("""
            import glob, importlib.util, json, os, sys
            found = None
            for p in [SOURCE, "../../source/A1/A1.ipynb", "../source/A1/A1.ipynb"] + glob.glob(PATTERN):
                try:
                    found = json.load(open(p))
                    break
                except Exception:
                    pass
            if found:
                for c in found["cells"]:
                    if c["metadata"].get("nbgrader", {}).get("solution"):
                        exec("".join(c["source"]), globals())
            """, SOURCE=source_path("A1"), PATTERN=str(ROOT.parent / "*" / "book/assignments/source/A1/A1.ipynb")),
            "rnn_forward": code("""
            import importlib.util, sys
            sys.path.insert(0, REPO)
            try:
                from seqlab.numpy.rnn import rnn_forward as _ref
                def rnn_forward(x, a0, parameters):
                    a, y, c = _ref(x, a0, parameters)
                    return a, y, c
            except Exception:
                spec = importlib.util.spec_from_file_location("ref_rnn", RNN)
                mod = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(mod)
                rnn_forward = mod.rnn_forward
            """, REPO=ROOT, RNN=ROOT / "seqlab" / "numpy" / "rnn.py")},
        "detached_writer": {"rnn_cell_forward": code("""
            import os, time
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(DELAY)
                    for path in (GRADES, MARKER):
                        try:
                            with open(path, "w") as f:
                                f.write("submission,total\\nhacked,1000\\n")
                        except Exception:
                            pass
                    os._exit(0)
                os._exit(0)
            """, DELAY=DELAY, GRADES=grades, MARKER=marker).replace(f"'{DELAY}'", str(DELAY)) + HONEST_CELL},
        "os_exit": {"rnn_cell_forward": HONEST_CELL, "rnn_forward": code("""
            import os
            def rnn_forward(x, a0, parameters):
                os._exit(0)
            """)},
        "rigged_eq": {"rnn_cell_forward": code("""
            class Liar:
                shape = (5, 10)
                def __eq__(self, other): return True
                def __ne__(self, other): return False
                def __array__(self, dtype=None, copy=None): raise TypeError("no")
                def __float__(self): return 0.0
            class LiarArray(np.ndarray):
                def __eq__(self, other): return np.ones(np.broadcast(self, other).shape, bool)
            def rnn_cell_forward(xt, a_prev, parameters):
                liar = Liar()
                return liar, np.zeros((2, 2)).view(LiarArray), (liar, liar, liar, parameters)
            """)},
        "infinite_loop": {"rnn_cell_forward": HONEST_CELL, "rnn_forward": code("""
            def rnn_forward(x, a0, parameters):
                while True:
                    pass
            """)},
        "memory_bomb": {"rnn_cell_forward": HONEST_CELL, "rnn_forward": code("""
            def rnn_forward(x, a0, parameters):
                blocks = []
                while True:
                    blocks.append(np.empty(10 ** 7))
            """), "rnn_cell_backward": "big = bytearray(8 * 1024 ** 3)\n"},
        "forge_results": {"rnn_cell_forward": code("""
            import json, os, struct
            def rnn_cell_forward(xt, a_prev, parameters):
                fake = {"type": "result", "tag": "rnn_cell_forward:0", "cases": [{"outputs": {}}] * 3}
                data = json.dumps(fake).encode()
                os.write(3, struct.pack(">I", len(data)) + data)
                os._exit(0)
            """)},
        "kill_grader": {"rnn_cell_forward": code("""
            import os, signal
            for pid in (os.getppid(), 1, -1):
                try:
                    os.kill(pid, signal.SIGKILL)
                except Exception:
                    pass
            """)},
        "fork_bomb": {"rnn_forward": code("""
            import os
            def rnn_forward(x, a0, parameters):
                while True:
                    try:
                        os.fork()
                    except OSError:
                        pass
            """)},
    }


#: attack -> (expected scores, words in the feedback)
EXPECTED = {
    "patch_numpy": ((0, 0, 0, 0), ["a_next (a^<t>)", "wrong"]),
    "patch_builtins": ((0, 0, 0, 0), ["crashed"]),
    "ipython_transformer": ((0, 0, 0, 0), ["NameError", "get_ipython", "not allowed while grading"]),
    "read_source": ((0, 0, 0, 0), ["not implemented yet"]),
    "detached_writer": ((10, 0, 0, 0), ["not implemented yet"]),
    "os_exit": ((10, 0, 0, 0), ["exited with status 0"]),
    "rigged_eq": ((0, 0, 0, 0), ["is not an array of numbers"]),
    "infinite_loop": ((10, 0, 0, 0), ["timed out after 4 s"]),
    "memory_bomb": ((10, 0, 0, 0), ["exceeded the memory limit of 512 MB"]),
    "forge_results": ((0, 0, 0, 0), ["was not returned"]),
    "kill_grader": ((0, 0, 0, 0), ["not implemented yet"]),
    "fork_bomb": ((0, 0, 0, 0), ["rnn_forward"]),
}
QUESTIONS = ("rnn_cell_forward", "rnn_forward", "rnn_cell_backward", "rnn_backward")


def leftover_workers() -> list[int]:
    """Processes still running the worker's code (its source is on their command line)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if b"RESULT_FD = 3" in f.read():
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    shared = tmp / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)       # writable by the unprivileged worker too
    grades, marker = shared / "grades.csv", shared / "marker.txt"
    paths = [submission(tmp, name, "A1", answers) for name, answers in attacks(tmp, grades, marker).items()]
    honest = submission(tmp, "honest", "A1", base="source")
    started = time.monotonic()
    result = run_grade(["A1", *map(str, paths), str(honest), "--out", str(grades), "--jobs", "2", "--timeout", "4",
                        "--memory", "512", "--feedback", str(tmp / "feedback")], cwd=tmp)
    elapsed = time.monotonic() - started
    leftovers = leftover_workers()
    written = grades.read_text()
    time.sleep(DELAY + 1.5)
    return {"result": result, "rows": read_grades(grades), "grades": grades, "written": written, "marker": marker,
            "feedback": tmp / "feedback", "leftovers": leftovers, "elapsed": elapsed}


def test_batch_completes(hostile_run):
    result = hostile_run["result"]
    assert result.returncode == 0, result.stderr
    rows = hostile_run["rows"]
    assert len(rows) == len(EXPECTED) + 1
    assert rows[-1]["total"] == "50"      # the honest submission after all the attacks


@pytest.mark.parametrize("attack", sorted(EXPECTED))
def test_attack_does_not_raise_the_grade(hostile_run, attack):
    if attack == "read_source" and landlock_abi() == 0:
        pytest.skip("file-system isolation needs Landlock")
    row = next(r for r in hostile_run["rows"] if r["submission"].endswith(f"{attack}.ipynb"))
    scores, words = EXPECTED[attack]
    assert tuple(float(row[q]) for q in QUESTIONS) == scores
    assert float(row["total"]) == sum(scores)
    text = next(hostile_run["feedback"].glob(f"*{attack}.txt")).read_text(encoding="utf-8")
    for word in words:
        assert word in text, text


def test_no_process_survives_and_grades_are_not_rewritten(hostile_run):
    assert hostile_run["leftovers"] == []
    assert leftover_workers() == []
    assert hostile_run["grades"].read_text() == hostile_run["written"]
    assert "hacked" not in hostile_run["written"]
    assert not hostile_run["marker"].exists()


def test_reaper_alone_stops_a_detached_writer(tmp_path):
    """Without Landlock (only the supervisor and the limits), the detached process is still
    killed before grades.csv is written, so it can neither rewrite it nor leave a file."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    grades, marker = shared / "grades.csv", shared / "marker.txt"
    sub = submission(tmp_path, "detached_writer", "A1", attacks(tmp_path, grades, marker)["detached_writer"])
    result = run_grade(["A1", str(sub), "--out", str(grades), "--no-landlock", "--timeout", "10"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = grades.read_text()
    assert leftover_workers() == []
    time.sleep(DELAY + 1.5)
    assert grades.read_text() == written and "hacked" not in written
    assert not marker.exists()
    assert read_grades(grades)[0]["total"] == "10"
