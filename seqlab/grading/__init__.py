"""``seqlab grade``: batch grading of the assignments, safe against hostile submissions.

Why not just ``nbgrader autograde``?  nbgrader runs every submission in an ordinary
Jupyter kernel, as the instructor, with the hidden tests in the same process as the
student's code: it is not a sandbox.  A submission can monkeypatch the functions the
tests call (``numpy.allclose``, ``assert``-helpers), register an IPython input transformer
that rewrites the hidden tests before they run, read ``source/`` and the hidden tests
from disk, start a detached process that edits ``gradebook.db`` after grading, exit the
kernel with ``os._exit``, or return objects whose ``__eq__`` always says yes.  Good for a
course with trusted students; not for grades that matter.

``seqlab grade`` keeps everything that decides a grade in a trusted process
(:mod:`seqlab.grading.runner`): it reads which questions exist from a Python spec
(:mod:`seqlab.grading.spec`), draws hidden inputs from a fresh random seed for every
submission, computes the expected results with the reference :mod:`seqlab.numpy`, and
compares arrays it rebuilt itself from plain numbers.  Each submission runs in its own
sandboxed worker process (:mod:`seqlab.grading.sandbox`: ``python -I -S`` in an empty
temporary directory, resource limits, a wall-clock limit, no root, Landlock file-system
isolation, and a supervisor that kills every process the submission started before the
grade file is written).  The worker executes only the code of the answer cells (matched
by nbgrader ``grade_id``) with plain ``exec`` -- there is no IPython, so input
transformers do not exist -- and sends back, for each question, the numbers its
function returned: no pickle, no object.
"""
from __future__ import annotations

__all__ = ["grade_batch", "grade_submission", "get_assignment", "ASSIGNMENTS"]


def __getattr__(name):
    if name in ("grade_batch", "grade_submission"):
        from . import runner
        return getattr(runner, name)
    if name in ("get_assignment", "ASSIGNMENTS"):
        from . import spec
        return getattr(spec, name)
    raise AttributeError(name)
