"""Deep (stacked) recurrent layers (chapter 12).

Layer l reads the hidden states of layer l − 1 as its input sequence::

    a^[0]<t> = x^<t>
    a^[l]<t> = g(W_aa^[l] a^[l]<t-1> + W_ax^[l] a^[l-1]<t> + b_a^[l])     (RNN; any cell kind)

so W_ax^[1] is (n_a, n_x) and W_ax^[l] (n_a^[l], n_a^[l-1]) above it (2 n_a^[l-1] columns
when the layers are bidirectional, since a^[l-1]<t> = [a→^[l-1]<t>; a←^[l-1]<t>]).  The
top layer's a^[L]<t> feeds the output layer.  Backpropagation runs the layers from the
top down: the dx of layer l is the dL/da^[l-1] of the layer below.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .bidirectional import bidirectional_backward, bidirectional_forward
from .recurrent import (CELL_KINDS, _check_kind, _check_state, _errors_in, recurrent_backward,
                        recurrent_forward)

__all__ = ["deep_forward", "deep_backward"]


def _check_layers(h0s: Any, parameters: Any, bidirectional: bool) -> int:
    """Number of layers L, after checking that h0s and parameters are lists of L entries."""
    for name, value in (("parameters", parameters), ("h0s", h0s)):
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{name} must be a list with one entry per layer; got {type(value).__name__}")
    if len(parameters) == 0:
        raise ValueError("parameters must hold at least one layer; got an empty list")
    if len(h0s) != len(parameters):
        raise ValueError(f"h0s must hold one initial state per layer: {len(parameters)} layers in "
                         f"parameters; got {len(h0s)} entries in h0s")
    if bidirectional:
        for name, value in (("parameters", parameters), ("h0s", h0s)):
            for l, entry in enumerate(value, start=1):
                if not (isinstance(entry, (list, tuple)) and len(entry) == 2):
                    raise TypeError(f"with bidirectional=True, {name}[{l - 1}] (layer {l}) must be a "
                                    f"(forward, backward) pair; got {type(entry).__name__}")
    return len(parameters)


def _check_layer_states(kind: str, h0: Any, m: int, bidirectional: bool) -> None:
    """Check the initial state(s) of an upper layer against the batch size m."""
    if not bidirectional:
        _check_state(kind, h0, m)
        return
    for where, h in zip(("forward direction (a→)", "backward direction (a←)"), h0):
        with _errors_in(where):
            _check_state(kind, h, m)


def deep_forward(x: np.ndarray, h0s: Sequence[Any], parameters: Sequence[Any], kind: str = "rnn",
                 bidirectional: bool = False, **options):
    """Run L stacked recurrent layers of cell ``kind``: a^[l]<t> = cell^[l](a^[l-1]<t>, a^[l]<t-1>).

    Parameters
    ----------
    x : (n_x, m, T_x) input sequence a^[0].
    h0s : one initial state per layer (a^[l]<0>, or (a^[l]<0>, c^[l]<0>) for the LSTMs);
        with ``bidirectional=True`` one (h0_fwd, h0_bwd) pair per layer.
    parameters : one parameter dict per layer; with ``bidirectional=True`` one
        (parameters_fwd, parameters_bwd) pair per layer.
    kind : one of :data:`seqlab.numpy.CELL_KINDS` (default ``"rnn"``).
    bidirectional : stack bidirectional layers (each layer then outputs 2 n_a rows).
    options : ``activation=`` for "rnn", ``variant=`` for "gru"; used by every layer.

    Returns
    -------
    a_top : (n_a, m, T_x) (or (2 n_a, m, T_x)) the top layer's a^[L]<t>.
    h_Ts : the final state of every layer (a (h_T_fwd, h_T_bwd) pair per layer when
        bidirectional).
    caches : for :func:`deep_backward`.
    """
    _check_kind(kind, options)
    bidirectional = bool(bidirectional)
    n_layers = _check_layers(h0s, parameters, bidirectional)
    a, h_Ts, layer_caches = x, [], []
    for l in range(n_layers):
        where = f"layer {l + 1}" if l == 0 else f"layer {l + 1} (its input x is a^[{l}] from layer {l})"
        with _errors_in(where):
            if l > 0:                                # a^[l-1] is right by construction
                _check_layer_states(kind, h0s[l], a.shape[1], bidirectional)
            if bidirectional:
                (h0_fwd, h0_bwd), (p_fwd, p_bwd) = h0s[l], parameters[l]
                a, h_T, cache = bidirectional_forward(a, h0_fwd, h0_bwd, p_fwd, p_bwd, kind, **options)
            else:
                a, h_T, cache = recurrent_forward(kind, a, h0s[l], parameters[l], **options)
        h_Ts.append(h_T)
        layer_caches.append(cache)
    return a, h_Ts, (kind, bidirectional, layer_caches)


def deep_backward(da_top: np.ndarray, caches: tuple) -> dict[str, Any]:
    """Backpropagation through time of :func:`deep_forward`, from the top layer down.

    ``da_top`` is dL/da^[L]<t> for every t, shaped like ``a_top``.  Each layer's backward
    turns dL/da^[l] into its weight gradients and dL/da^[l-1], the upstream gradient of the
    layer below; the bottom layer's is dx.

    Returns ``{"dx": (n_x, m, T_x), "layers": [grads of layer 1, …, grads of layer L]}``,
    where a layer's grads are those of :func:`seqlab.numpy.recurrent_backward` without
    ``"dx"`` (weight gradients and ``"dh0"``), or ``{"fwd": …, "bwd": …}`` of
    :func:`seqlab.numpy.bidirectional_backward` when bidirectional.
    """
    if not (isinstance(caches, tuple) and len(caches) == 3 and caches[0] in CELL_KINDS
            and isinstance(caches[2], list) and caches[2]):
        raise TypeError("caches must be the tuple (kind, bidirectional, layer caches) "
                        "returned by deep_forward")
    kind, bidirectional, layer_caches = caches
    da = da_top
    layers: list[dict[str, Any]] = [{} for _ in layer_caches]
    for l in reversed(range(len(layer_caches))):
        with _errors_in(f"layer {l + 1}"):
            if bidirectional:
                grads = bidirectional_backward(da, layer_caches[l])
            else:
                grads = recurrent_backward(kind, da, layer_caches[l])
        da = grads.pop("dx")
        layers[l] = grads
    return {"dx": da, "layers": layers}
