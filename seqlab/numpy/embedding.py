"""Word embeddings: token ids to dense vectors through a matrix E (chapters 1 and 5).

With E of shape (n_e, |V|) — column j is the vector of token j — a token id j gives
e_j = E o_j, where o_j is the one-hot vector of j.  Forward and backward::

    e^<t> = E[:, id^<t>]            dE[:, j] = Σ over every (example, t) with id = j of de^<t>

The backward is a scatter-add: a token that appears several times collects the sum of
its gradients.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check_array

__all__ = ["embedding_forward", "embedding_backward"]


def _check_ids(ids: Any, vocab_size: int) -> np.ndarray:
    if not isinstance(ids, np.ndarray) or ids.dtype.kind not in "iu":
        got = ids.dtype if isinstance(ids, np.ndarray) else type(ids).__name__
        raise TypeError(f"token ids must be an integer numpy array of shape (m, T_x); got {got}")
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"token ids must lie in 0 … |V| − 1 = {vocab_size - 1}; "
                         f"got values in {int(ids.min())} … {int(ids.max())}")
    return ids


def embedding_forward(ids: np.ndarray, E: np.ndarray):
    """e^<t> = E[:, id^<t>] = E o^<t> for every token.

    Parameters
    ----------
    ids : integer array of token ids, (m, T_x) for a batch of sequences (any shape works:
        (m,) gives one step).
    E : (n_e, |V|) embedding matrix, float32 or float64.

    Returns
    -------
    e : (n_e,) + ids.shape, i.e. (n_e, m, T_x) — ready as the input x of a recurrent layer.
    cache : ``(ids, E)`` for :func:`embedding_backward`.
    """
    check_array(E, "embedding matrix E", ("n_e", "|V|"))
    _check_ids(ids, E.shape[1])
    return E[:, ids], (ids, E)


def embedding_backward(de: np.ndarray, cache: tuple) -> np.ndarray:
    """dE[:, j] = Σ_{(i, t): id = j} de^(i)<t>; returns dE of E's shape and dtype."""
    if not (isinstance(cache, tuple) and len(cache) == 2):
        raise TypeError("cache must be the pair (ids, E) returned by embedding_forward")
    ids, E = cache
    n_e = E.shape[0]
    if not isinstance(de, np.ndarray) or de.shape != (n_e,) + ids.shape:
        got = de.shape if isinstance(de, np.ndarray) else type(de).__name__
        raise ValueError(f"dL/de must be (n_e,) + ids.shape = {(n_e,) + ids.shape}; got {got}")
    check_array(de, "dL/de", tuple(f"d{i}" for i in range(de.ndim)), dtype=E.dtype)
    dE = np.zeros_like(E)
    np.add.at(dE.T, ids.reshape(-1), de.reshape(n_e, -1).T)
    return dE
