"""Truncated backpropagation through time for the RNN (chapter 7).

The sequence t = 1 … T_x is cut into segments of k steps.  The forward pass runs over
the whole sequence, the hidden state carried from one segment into the next; the
backward pass stops at segment boundaries: inside a segment starting at step s,

    da^<t> = dL/da^<t> (from the output) + W_aaᵀ dz^<t+1>      for s ≤ t < end of segment,

but the last step of a segment receives nothing from the next segment, and da^<s-1>
is not passed back into the previous segment.  So dW = Σ_segments dW(segment), each
segment treated as a sequence of its own whose a^<0> is the (constant) state carried in.
The cost of the backward pass per step no longer grows with T_x, and gradients cannot
explode over more than k steps — at the price of not learning dependencies longer than k.

With k ≥ T_x this is exactly :func:`seqlab.numpy.rnn_backward`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check_array
from .rnn import _cell_dz, _check_sequence_caches, _weight_gradients

__all__ = ["tbptt_segments", "rnn_tbptt_backward"]


def _check_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"the truncation length k must be a positive int; got {k!r}")
    return int(k)


def tbptt_segments(T_x: int, k: int) -> list[slice]:
    """The time slices [0, k), [k, 2k), … covering 0 … T_x − 1 (the last may be shorter)."""
    k = _check_k(k)
    if isinstance(T_x, bool) or not isinstance(T_x, (int, np.integer)) or T_x < 0:
        raise ValueError(f"T_x must be a non-negative int; got {T_x!r}")
    return [slice(s, min(s + k, T_x)) for s in range(0, int(T_x), k)]


def rnn_tbptt_backward(da: np.ndarray, caches: tuple, k: int) -> dict[str, np.ndarray]:
    """Backward of :func:`seqlab.numpy.rnn_forward` truncated to segments of k steps.

    ``da`` (n_a, m, T_x) is dL/da^<t> from the outputs, ``caches`` what ``rnn_forward``
    returned.  The recurrent gradient W_aaᵀ dz^<t+1> is reset to 0 at the first step of
    every segment; everything else is :func:`seqlab.numpy.rnn_backward`.

    Returns ``{"dx", "da0", "dWax", "dWaa", "dba"}``; da0 is dL/da^<0> through the first
    segment only.
    """
    k = _check_k(k)
    cell_caches, x = _check_sequence_caches(caches)
    a_first = cell_caches[0][0]
    sizes = {"n_a": a_first.shape[0], "m": a_first.shape[1], "T_x": len(cell_caches)}
    check_array(da, "dL/da", ("n_a", "m", "T_x"), sizes, dtype=a_first.dtype)
    dz, da0 = _truncated_time_loop(da, cell_caches, k)
    return _weight_gradients(dz, da0, cell_caches, x)


def _truncated_time_loop(da, cell_caches, k):
    """dz^<t> for every t with the recurrence cut every k steps, and da^<0> of the first segment."""
    n_a, m, T_x = da.shape
    Waa = cell_caches[0][3]["Waa"]
    activation = cell_caches[0][4]
    dz = np.empty((T_x, n_a, m), dtype=da.dtype)  # time-major: contiguous dz^<t>
    da_next = np.zeros((n_a, m), dtype=da.dtype)
    for t in reversed(range(T_x)):
        if (t + 1) % k == 0:  # last step of a segment: nothing comes back from the next one
            da_next = np.zeros_like(da_next)
        dz[t] = _cell_dz(da[:, :, t] + da_next, cell_caches[t][0], activation)
        da_next = Waa.T @ dz[t]
    return np.ascontiguousarray(dz.transpose(1, 2, 0)), da_next
