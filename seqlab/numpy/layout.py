"""The course's layout of a sequence, (n, m, T_x), and the step-major layout the time loops use.

The course indexes a sequence as v[:, :, t] = v^<t>, an (n, m) block per step.  A time loop
reads and writes one step at a time, so the loops of the sequence functions keep every
step's block contiguous: a step-major (T_x, n, m) buffer, or a (n, T_x·m) matrix whose m
columns of step t sit side by side (the layout in which one matrix product covers every
step).  Between the two layouts, these functions copy only where they must: a step-major
buffer *is* an array in the course's layout, seen through transposed strides, so the results
of a time loop reach the caller as views, with v[:, :, t] a contiguous block.
"""
from __future__ import annotations

import numpy as np


def course_view(steps: np.ndarray) -> np.ndarray:
    """Step-major (T_x, n, m) -> the course's (n, m, T_x), as a read-only view (no copy).

    The forward passes return their states this way: the caches hold views of the same
    buffer, so writing into the returned array would change what the backward pass reads.
    ``np.array(v)`` gives a writable copy.
    """
    view = steps.transpose(1, 2, 0)
    view.flags.writeable = False
    return view


def time_major(v: np.ndarray) -> np.ndarray:
    """(n, m, T_x) -> (n, T_x·m), the m columns of step t side by side (one copy, unless v
    already lies in memory that way)."""
    n, m, T_x = v.shape
    return np.ascontiguousarray(v.transpose(0, 2, 1)).reshape(n, T_x * m)


def from_time_major(v: np.ndarray, m: int, T_x: int) -> np.ndarray:
    """(n, T_x·m) -> the course's (n, m, T_x), as a view of v (no copy)."""
    return v.reshape(-1, T_x, m).transpose(0, 2, 1)


def stack_steps(arrays: list[np.ndarray]) -> np.ndarray:
    """Per-step (n, m) arrays -> (n, T_x·m) in the layout of :func:`time_major`."""
    return np.stack(arrays, axis=1).reshape(arrays[0].shape[0], -1)
