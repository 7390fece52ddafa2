"""One interface over every recurrent cell (used by the bidirectional and deep layers).

``kind`` picks the cell: ``"rnn"`` (a^<t> = g(W_aa a^<t-1> + W_ax x^<t> + b_a)), ``"gru"``
(c^<t> = a^<t>), ``"lstm"`` or ``"peephole_lstm"``.  The state h is what the cell carries
from one step to the next: h^<t> = a^<t> for the RNN and the GRU, h^<t> = (a^<t>, c^<t>) for
the two LSTMs.  The layer returns every a^<t> (n_a, m, T_x) and the final state h^<T_x>.

Options: ``activation=`` (``"tanh"`` or ``"relu"``) for the RNN, ``variant=``
(``"simplified"``, ``"full"`` or ``"reset_after"``) for the GRU; the LSTMs take none.
The output layer of a cell (W_ya, b_y or W_y, b_y) is not used here: ŷ^<t> comes from
a time-distributed dense layer on top of a.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Mapping

import numpy as np

from ..checks import check_array
from .gru import gru_backward, gru_forward
from .lstm import lstm_backward, lstm_forward
from .peephole import peephole_lstm_backward, peephole_lstm_forward
from .rnn import rnn_backward, rnn_forward

__all__ = ["CELL_KINDS", "recurrent_forward", "recurrent_backward"]

#: The cells a recurrent layer can be made of.
CELL_KINDS = ("rnn", "gru", "lstm", "peephole_lstm")
#: kind -> the keyword options its forward accepts
_OPTIONS = {"rnn": ("activation",), "gru": ("variant",), "lstm": (), "peephole_lstm": ()}
_FORWARD = {"rnn": rnn_forward, "gru": gru_forward}
_BACKWARD = {"rnn": rnn_backward, "gru": gru_backward, "lstm": lstm_backward,
             "peephole_lstm": peephole_lstm_backward}
_LSTM_FORWARD = {"lstm": lstm_forward, "peephole_lstm": peephole_lstm_forward}


def _check_kind(kind: Any, options: Mapping[str, Any] | None = None) -> str:
    """Raise ``ValueError`` for an unknown ``kind`` and ``TypeError`` for an option it does not take."""
    if not isinstance(kind, str) or kind not in CELL_KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, CELL_KINDS))}; got {kind!r}")
    unknown = sorted(set(options or ()) - set(_OPTIONS[kind]))
    if unknown:
        allowed = ", ".join(_OPTIONS[kind]) or "none"
        raise TypeError(f"kind={kind!r} does not take the option(s) {', '.join(unknown)} "
                        f"(its options: {allowed})")
    return kind


@contextmanager
def _errors_in(where: str) -> Iterator[None]:
    """Prefix the message of a ValueError/TypeError raised inside with ``where`` (a direction, a layer)."""
    try:
        yield
    except (ValueError, TypeError) as err:
        if type(err) not in (ValueError, TypeError):     # a subclass may take other arguments
            raise
        raise type(err)(f"{where}: {err}") from err


def _state_pair(h0: Any, kind: str) -> tuple:
    if not (isinstance(h0, (tuple, list)) and len(h0) == 2):
        raise TypeError(f"h0 of kind={kind!r} must be the pair (a^<0>, c^<0>); got {type(h0).__name__}")
    return tuple(h0)


def _check_state(kind: str, h0: Any, m: int) -> None:
    """Check h^<0> against the batch size m of an input already known to be right.

    Used where x is checked already (the backward direction of a bidirectional layer,
    the upper layers of a deep one), so that a wrong h^<0> is reported as such rather
    than as an x that does not fit it.
    """
    if kind in ("lstm", "peephole_lstm"):
        named = zip(("a0", "c0"), _state_pair(h0, kind))
    else:
        named = (("c0" if kind == "gru" else "a0", h0),)
    for name, h in named:
        if not (isinstance(h, np.ndarray) and h.ndim == 2 and h.shape[1] == m):
            check_array(h, name, ("n_a", "m"), {"m": m})   # raises; the cell checks the rest


def recurrent_forward(kind: str, x: np.ndarray, h0: Any, parameters: Mapping[str, np.ndarray],
                      **options):
    """Run the recurrent layer of cell ``kind`` over x^<1> … x^<T_x> from the state h^<0>.

    Parameters
    ----------
    kind : one of :data:`CELL_KINDS`.
    x : (n_x, m, T_x) input sequence.
    h0 : a^<0> (n_a, m) for "rnn" and "gru"; the pair (a^<0>, c^<0>) for "lstm" and
        "peephole_lstm".
    parameters : the cell's parameter dict (see its module).
    options : ``activation=`` for "rnn", ``variant=`` for "gru".

    Returns
    -------
    a : (n_a, m, T_x) a^<1> … a^<T_x>; for "rnn", "gru" and "lstm" a read-only view of
        the buffer the caches hold (``np.array(a)`` gives a writable copy).
    h_T : the final state, a^<T_x> or (a^<T_x>, c^<T_x>).
    caches : the cell's sequence caches, for :func:`recurrent_backward` with the same kind.
    """
    _check_kind(kind, options)
    if kind in _FORWARD:
        a, _, caches = _FORWARD[kind](x, h0, parameters, **options)
        return a, a[:, :, -1].copy(), caches
    a0, c0 = _state_pair(h0, kind)
    a, _, c, caches = _LSTM_FORWARD[kind](x, a0, parameters, c0)
    return a, (a[:, :, -1].copy(), c[:, :, -1].copy()), caches


def recurrent_backward(kind: str, da: np.ndarray, caches: Any) -> dict[str, Any]:
    """Backpropagation through time of :func:`recurrent_forward` for cell ``kind``.

    ``da`` (n_a, m, T_x) is dL/da^<t> from above every step (nothing flows into the final
    state h^<T_x> other than through a^<T_x>).

    Returns the cell's weight gradients (``dWax``, ``dWc``, ``dW``, ... as its own backward
    names them) plus ``"dx"`` (n_x, m, T_x) and ``"dh0"``: da^<0> for "rnn", dc^<0> for "gru"
    and the pair (da^<0>, dc^<0>) for the LSTMs.
    """
    _check_kind(kind)
    grads = dict(_BACKWARD[kind](da, caches))
    if kind == "rnn":
        grads["dh0"] = grads.pop("da0")
    elif kind == "gru":
        grads["dh0"] = grads.pop("dc0")
    else:
        grads["dh0"] = (grads.pop("da0"), grads.pop("dc0"))
    return grads
