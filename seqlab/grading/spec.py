"""What is graded in each assignment: the trusted side's list of questions.

The list is Python (not read from a submission, and not from the source notebook, which
an installed ``seqlab`` does not ship): for each assignment the setup code the notebook
runs first, the helper modules it may import, and its questions in order (see
:class:`seqlab.assignments._core.Question`).  The tests check that the source notebooks
agree with it: same setup cell, same answer-cell and test-cell ``grade_id``\\ s, same points.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from ..assignments._core import Question

_HELPERS = "seqlab.assignments.helpers"


@dataclass(frozen=True)
class AssignmentSpec:
    """One assignment as the grader sees it."""

    id: str
    title: str
    notebook: str                       #: file name of the notebook, e.g. "A1.ipynb"
    setup_code: str                     #: the notebook's locked setup cell (grade_id "setup")
    module: str                         #: the seqlab.assignments module with the questions
    helper_modules: tuple[str, ...] = (_HELPERS,)

    @property
    def questions(self) -> list[Question]:
        return list(importlib.import_module(self.module).QUESTIONS.values())

    @property
    def solution_cells(self) -> list[str]:
        seen: list[str] = []
        for q in self.questions:
            if q.solution_cell not in seen:
                seen.append(q.solution_cell)
        return seen

    @property
    def max_total(self) -> float:
        return float(sum(q.points for q in self.questions))

    def module_sources(self) -> dict[str, str]:
        """name -> source of the helper modules the worker registers."""
        out = {}
        for name in self.helper_modules:
            spec = importlib.util.find_spec(name)
            out[name] = Path(spec.origin).read_text(encoding="utf-8")
        return out


ASSIGNMENTS: dict[str, AssignmentSpec] = {
    "A1": AssignmentSpec(
        "A1", "The RNN step by step", "A1.ipynb",
        "import numpy as np\nfrom seqlab.assignments.helpers import sigmoid, softmax",
        "seqlab.assignments.a1"),
    "A2": AssignmentSpec(
        "A2", "GRU and LSTM step by step", "A2.ipynb",
        "import numpy as np\nfrom seqlab.assignments.helpers import sigmoid, softmax",
        "seqlab.assignments.a2"),
    "A3": AssignmentSpec(
        "A3", "A character-level name generator", "A3.ipynb",
        "import copy\nimport numpy as np\n"
        "from seqlab.assignments.helpers import (softmax, initialize_parameters, char_rnn_forward,\n"
        "                                       char_rnn_backward, update_parameters, shuffled)",
        "seqlab.assignments.a3"),
}


def get_assignment(name: str) -> AssignmentSpec:
    """The spec of ``name`` (A1, A2 or A3; case-insensitive)."""
    key = name.strip().upper()
    if key not in ASSIGNMENTS:
        raise ValueError(f"unknown assignment {name!r}; choose one of {', '.join(ASSIGNMENTS)}")
    return ASSIGNMENTS[key]
