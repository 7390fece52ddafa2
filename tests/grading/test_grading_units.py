"""Pieces of the grader: parsing what comes back, reading notebooks, the files it writes,
the names data."""
from __future__ import annotations

import ast
import base64
import json
import os
import stat

import numpy as np
import pytest

from seqlab.assignments._core import parse_array
from seqlab.grading import _worker
from seqlab.grading.runner import (SubmissionResult, feedback_name, feedback_text, read_answer_cells,
                                   write_grades)
from seqlab.grading.sandbox import Sandbox, WorkerGone
from seqlab.grading.spec import get_assignment


def entry(shape, n_bytes=None, data=None):
    raw = b"\0" * (8 * int(np.prod(shape)) if n_bytes is None else n_bytes)
    return {"shape": shape, "data": base64.b64encode(raw).decode() if data is None else data}


def test_arrays_round_trip_as_plain_numbers():
    a = np.arange(6, dtype=np.float32).reshape(2, 3) / 7
    back = parse_array(_worker.pack_array(a))
    assert back.dtype == np.float64 and back.shape == (2, 3)
    np.testing.assert_array_equal(back, a.astype(np.float64))
    assert parse_array(_worker.pack_array(np.float64(2.5))).shape == ()


@pytest.mark.parametrize("bad", [
    entry([2, 2], n_bytes=24), entry([-1]), entry([True, 2]), entry([2.0]), entry([1] * 9),
    entry([2], data=5), entry([2], data="!!notbase64!!"), {"shape": [1]}, [1, 2], "x",
])
def test_malformed_arrays_are_rejected(bad):
    with pytest.raises((ValueError, TypeError)):
        parse_array(bad)


def test_converted_outputs_are_numbers_only():
    class Rigged:
        def __eq__(self, other):
            return True

        def __array__(self, dtype=None, copy=None):
            raise RuntimeError("no")
    assert "error" in _worker.convert_output(Rigged())
    assert "error" in _worker.convert_output("abc")
    assert _worker.convert_output(None) == {"none": True}
    out = _worker.convert_output([1, 2, 3])
    assert out["type"] == "list" and parse_array(out).tolist() == [1.0, 2.0, 3.0]


def test_call_description_builds_shared_objects():
    arrays = {"w": np.ones((2, 2)), "x": np.zeros(2)}
    case = {"defs": [["p", {"$": "dict", "v": {"W": {"$": "arr", "n": "w"}}}]],
            "args": [{"$": "tuple", "v": [{"$": "ref", "n": "p"}, {"$": "ref", "n": "p"}]},
                     {"$": "list", "v": [{"$": "none"}, 3, "a"]}], "kwargs": {"x": {"$": "arr", "n": "x"}}}
    args, kwargs = _worker.build_call(case, arrays)
    assert args[0][0] is args[0][1] and args[1] == [None, 3, "a"]
    args[0][0]["W"][0, 0] = 5
    assert arrays["w"][0, 0] == 1          # inputs are copies
    with pytest.raises(ValueError):
        _worker.build_value({"$": "eval", "v": "1"}, {}, {})


def test_frames_round_trip():
    r, w = os.pipe()
    _worker.write_frame(w, {"a": [1, 2]})
    assert _worker.read_frame(r) == {"a": [1, 2]}
    os.close(w)
    with pytest.raises(EOFError):
        _worker.read_frame(r)
    os.close(r)


def notebook(cells) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": kind, "metadata": {"nbgrader": {"grade_id": gid}} if gid else {}, "source": src}
        for kind, gid, src in cells]}


def test_only_answer_cells_are_read_and_magics_are_neutralized(tmp_path):
    path = tmp_path / "s.ipynb"
    path.write_text(json.dumps(notebook([
        ("code", "setup", "import os; os.system('x')"),
        ("code", "rnn_cell_forward", ["%timeit 1\n", "def rnn_cell_forward():\n", "    !ls\n", "    return 1\n"]),
        ("markdown", "rnn_forward", "text"),
        ("code", None, "def rnn_forward(): return 2"),
        ("code", "test_rnn_forward", "def rnn_forward(): return 3"),
    ])))
    cells, notes = read_answer_cells(path, get_assignment("A1"))
    assert cells == [("rnn_cell_forward", "pass\ndef rnn_cell_forward():\n    pass\n    return 1\n")]
    assert any("magic" in n for n in notes)
    assert sum("is missing from the notebook" in n for n in notes) == 3


def test_grade_file_is_written_whole_with_ordinary_permissions(tmp_path):
    spec = get_assignment("A1")
    ids = [q.id for q in spec.questions]
    result = SubmissionResult("a,b.ipynb", dict.fromkeys(ids, 0.0), {})
    result.scores["rnn_forward"] = 10.0
    write_grades(tmp_path / "g.csv", spec, [result])
    text = (tmp_path / "g.csv").read_text()
    assert text.splitlines() == ["submission,rnn_cell_forward,rnn_forward,rnn_cell_backward,rnn_backward,total,max_total",
                                 '"a,b.ipynb",0,10,0,0,10,50']
    assert stat.S_IMODE(os.stat(tmp_path / "g.csv").st_mode) & 0o044
    assert [p.name for p in tmp_path.iterdir()] == ["g.csv"]
    assert "rnn_forward] 10 / 10" in feedback_text(spec, result)


def test_feedback_names_are_safe_and_unique():
    used: set[str] = set()
    assert feedback_name("submitted/alice/A1/A1.ipynb", used) == "submitted__alice__A1__A1.txt"
    assert feedback_name("submitted/alice/A1/A1.ipynb", used) == "submitted__alice__A1__A1-2.txt"
    assert "/" not in feedback_name("../../etc/passwd", used)


def test_worker_that_scribbles_on_the_channel_is_stopped():
    with Sandbox(timeout=10, memory_mb=512) as box:
        with pytest.raises(WorkerGone):
            box.start(setup_code="import os", cells=[("c", "os.write(3, b'\\xff\\xff\\xff\\xff' + b'x' * 100)")],
                      modules={})
        assert "oversized" in box.protocol_error
    assert box.report is not None and "descendants_killed" in box.report


def test_worker_is_isolated():
    probe = (
        "import os\n"
        "results = {}\n"
        "for name, fn in [('read', lambda: open(SOURCE).read()), ('list', lambda: os.listdir('/')),\n"
        "                 ('exec', lambda: os.execv('/bin/true', ['true'])),\n"
        "                 ('signal', lambda: os.kill(os.getppid(), 0))]:\n"
        "    try:\n"
        "        fn(); results[name] = 'allowed'\n"
        "    except Exception as e:\n"
        "        results[name] = type(e).__name__\n"
        "raise RuntimeError(repr(results))\n").replace("SOURCE", repr(__file__))
    from seqlab.grading.sandbox import landlock_abi
    with Sandbox(timeout=10, memory_mb=512) as box:
        ready = box.start(setup_code="", cells=[("c", probe)], modules={})
        box.finish()
    results = ast.literal_eval(ready["cell_errors"]["c"]["message"])
    if landlock_abi() == 0:
        pytest.skip("no Landlock on this kernel")
    assert results["read"] == "PermissionError" and results["list"] == "PermissionError"
    assert results["exec"] == "PermissionError"
    if landlock_abi() >= 6 or os.geteuid() == 0:
        assert results["signal"] == "PermissionError"


def test_names_data():
    from seqlab.data.names import load_names, name_vocabulary
    names = load_names()
    assert len(names) == 5163 and names == sorted(set(names))
    assert all(n.isalpha() and n.islower() and n.isascii() for n in names)
    assert "mary" in load_names("female") and "james" in load_names("male")
    assert len(load_names("female")) == 4275 and len(load_names("male")) == 1219
    char_to_ix, ix_to_char = name_vocabulary()
    assert char_to_ix["\n"] == 0 and char_to_ix["z"] == 26 and ix_to_char[1] == "a" and len(char_to_ix) == 27
    with pytest.raises(ValueError, match="sex must be"):
        load_names("other")


@pytest.mark.parametrize("report, protocol, words", [
    ({"timed_out": True}, None, "timed out after 3 s"),
    ({"signal": 24}, None, "more than 4 s of CPU time"),
    ({"signal": 9, "log_tail": "MemoryError"}, None, "exceeded the memory limit of 256 MB"),
    ({"signal": 11}, None, "killed by SIGSEGV; it may have exceeded the memory limit of 256 MB"),
    ({"exit_code": 3}, None, "exited with status 3"),
    ({"exit_code": 0}, "the worker sent a malformed message", "interfered with the grader's channel"),
    ({"stopped": True}, None, "interrupted"),
    ({}, None, "crashed before answering"),
])
def test_why_a_worker_stopped_is_said_in_words(report, protocol, words):
    from seqlab.grading.runner import _gone_message
    assert words in _gone_message(report, 3.0, 256, protocol)


def test_cell_errors_become_notes():
    from seqlab.grading.runner import _cell_error_notes
    notes = _cell_error_notes({"a": {"type": "NameError", "message": "x", "where": {"line": 2}},
                               "b": {"type": "MemoryError", "message": "", "memory": True}, "c": "junk"}, 128)
    assert notes == ["running the answer cell 'a' raised NameError: x (line 2)",
                     "running the answer cell 'b' raised MemoryError: it exceeded the memory limit of 128 MB"]
    assert _cell_error_notes(["not", "a", "dict"], 128) == []
