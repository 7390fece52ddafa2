"""Bidirectional recurrent layers (chapter 11).

Two recurrent layers of the same kind read the same x: the forward one from t = 1 to T_x,
the backward one from t = T_x down to 1, each with its own parameters::

    a→^<t> = cell(x^<t>, a→^<t-1>)         t = 1 … T_x
    a←^<t> = cell(x^<t>, a←^<t+1>)         t = T_x … 1
    a^<t>  = [a→^<t>; a←^<t>]              (2 n_a, m)

and ŷ^<t> = g(W_y [a→^<t>; a←^<t>] + b_y) is a time-distributed dense layer on top.  The
backward direction is the same layer run on x reversed in time, so its outputs are
reversed back before stacking.  In backpropagation each direction gets its half of
dL/da^<t> (the lower half reversed in time) and dx = dx→ + dx← (reversed back).
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..checks import check_array
from .recurrent import (CELL_KINDS, _check_kind, _check_state, _errors_in, recurrent_backward,
                        recurrent_forward)

__all__ = ["bidirectional_forward", "bidirectional_backward"]


def bidirectional_forward(x: np.ndarray, h0_fwd: Any, h0_bwd: Any,
                          parameters_fwd: Mapping[str, np.ndarray], parameters_bwd: Mapping[str, np.ndarray],
                          kind: str = "lstm", **options):
    """Run a bidirectional layer of cell ``kind`` over x: a^<t> = [a→^<t>; a←^<t>].

    Parameters
    ----------
    x : (n_x, m, T_x) input sequence.
    h0_fwd, h0_bwd : the initial state of each direction (a^<0>, or the pair (a^<0>, c^<0>)
        for the LSTMs); h0_bwd is the state before the backward direction reads x^<T_x>.
    parameters_fwd, parameters_bwd : the two directions' parameter dicts (same n_a).
    kind : one of :data:`seqlab.numpy.CELL_KINDS` (default ``"lstm"``).
    options : ``activation=`` for "rnn", ``variant=`` for "gru"; used by both directions.

    Returns
    -------
    a : (2 n_a, m, T_x) [a→^<t>; a←^<t>] for every t.
    (h_T_fwd, h_T_bwd) : the final state of each direction: a→^<T_x> (the forward one's
        last step) and a←^<1> (the backward one's last step), as pairs for the LSTMs.
    caches : for :func:`bidirectional_backward`.
    """
    _check_kind(kind, options)
    with _errors_in("forward direction (a→)"):     # checks x too, before it is reversed
        a_fwd, h_T_fwd, caches_fwd = recurrent_forward(kind, x, h0_fwd, parameters_fwd, **options)
    n_a, m, T_x = a_fwd.shape
    with _errors_in("backward direction (a←)"):
        _check_state(kind, h0_bwd, m)                # x is known to be right by now
        a_bwd, h_T_bwd, caches_bwd = recurrent_forward(kind, x[:, :, ::-1], h0_bwd, parameters_bwd,
                                                       **options)
    if a_bwd.shape[0] != n_a:
        raise ValueError(f"both directions must have the same n_a; got n_a = {n_a} for a→ "
                         f"and n_a = {a_bwd.shape[0]} for a←")
    a = np.concatenate([a_fwd, a_bwd[:, :, ::-1]], axis=0)
    sizes = {"n_a": n_a, "m": m, "T_x": T_x}
    return a, (h_T_fwd, h_T_bwd), (kind, sizes, caches_fwd, caches_bwd)


def _check_caches(caches: Any) -> tuple:
    if not (isinstance(caches, tuple) and len(caches) == 4 and caches[0] in CELL_KINDS
            and isinstance(caches[1], dict)):
        raise TypeError("caches must be the tuple (kind, sizes, caches_fwd, caches_bwd) "
                        "returned by bidirectional_forward")
    return caches


def bidirectional_backward(da: np.ndarray, caches: tuple) -> dict[str, Any]:
    """Backpropagation through time of :func:`bidirectional_forward`.

    ``da`` (2 n_a, m, T_x) is dL/da^<t> = [dL/da→^<t>; dL/da←^<t>] from above.  The upper
    half goes through the forward direction; the lower half, reversed in time, through
    the backward one; dx = dx→ + dx← (the latter reversed back in time).

    Returns ``{"dx": (n_x, m, T_x), "fwd": grads_fwd, "bwd": grads_bwd}``, where each
    direction's grads are those of :func:`seqlab.numpy.recurrent_backward` without ``"dx"``
    (its weight gradients and ``"dh0"``).
    """
    kind, sizes, caches_fwd, caches_bwd = _check_caches(caches)
    check_array(da, "dL/da", ("2 n_a", "m", "T_x"), dict(sizes))
    n_a = sizes["n_a"]
    with _errors_in("forward direction (a→)"):
        grads_fwd = recurrent_backward(kind, da[:n_a], caches_fwd)
    with _errors_in("backward direction (a←)"):
        grads_bwd = recurrent_backward(kind, da[n_a:, :, ::-1], caches_bwd)
    dx = grads_fwd.pop("dx") + grads_bwd.pop("dx")[:, :, ::-1]
    return {"dx": dx, "fwd": grads_fwd, "bwd": grads_bwd}
