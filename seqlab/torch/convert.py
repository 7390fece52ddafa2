"""Converters between seqlab.numpy parameter dicts, seqlab.torch modules and ``torch.nn``.

**NumPy → seqlab.torch** (:func:`from_numpy`).  The NumPy cells act on the stacked
``[a^<t-1>; x^<t>]`` (first n_a columns on the state), so each W_* splits into
``W_hh = W_*[:, :n_a]`` and ``W_ih = W_*[:, n_a:]``; gate blocks are stacked in torch's
row order; every bias goes to ``bias_ih`` and ``bias_hh`` is zero, except the
reset-after GRU where ``b_hn = b_ca``.  torch's GRU gate is z = 1 − Γ_u = σ(−(W_u[...] + b_u)),
so ``W_z = −W_u`` and ``b_z = −b_u``.

=============== ============================ =========================================
kind / variant  NumPy keys                   torch row blocks
=============== ============================ =========================================
rnn             Wax, Waa, ba                 one block: W_ax, W_aa, b_a
gru simplified  Wu, Wc, bu, bc               [z; n] = [−W_u; W_c]
gru full        + Wr, br                     [r; z; n] = [W_r; −W_u; W_c]
gru reset_after + bca                        same, b_hn = b_ca
lstm            Wf, Wu, Wc, Wo, bf, ...      [i; f; g; o] = [W_u; W_f; W_c; W_o]
peephole_lstm   W, R, P, b                   weight_ih, weight_hh, weight_peep, bias
=============== ============================ =========================================

**seqlab.torch → NumPy** (:func:`to_numpy`) is the exact inverse (the two torch biases
are summed where only their sum matters); :func:`grads_to_numpy` maps the ``.grad`` of
a module built by :func:`from_numpy` to the NumPy gradient dict (``dWax``, ``dbu``, ...)
so that a hand-written backward can be compared with autograd.

**torch.nn ↔ seqlab.torch** (:func:`from_torch_nn`, :func:`to_torch_nn`): same names and
layout, so the state dict is copied as it is; any ``num_layers``, ``bidirectional``,
``batch_first``, device and dtype.

**Tensors**: seqlab.numpy's sequences are ``(n, m, T_x)``, torch's ``(T_x, m, n)``
(:func:`x_to_torch`, :func:`x_to_numpy`); states ``(n_a, m)`` versus ``(m, n_a)``
(:func:`state_to_torch`, :func:`state_to_numpy`).
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import torch
from torch import nn

from ..checks import check_array, check_parameters
from .cells import GRUCell, LSTMCell, PeepholeLSTMCell, RNNCell, _Cell, parameter_names
from .functional import GRU_VARIANTS, NONLINEARITIES
from .layers import GRU, LSTM, RNN, PeepholeLSTM, _Recurrent
from .validation import check_choice

__all__ = ["from_numpy", "to_numpy", "grads_to_numpy", "from_torch_nn", "to_torch_nn", "infer_kind",
           "x_to_torch", "x_to_numpy", "state_to_torch", "state_to_numpy"]

LAYER_CLASSES = {"rnn": RNN, "gru": GRU, "lstm": LSTM, "peephole_lstm": PeepholeLSTM}
CELL_CLASSES = {"rnn": RNNCell, "gru": GRUCell, "lstm": LSTMCell, "peephole_lstm": PeepholeLSTMCell}
_KIND_ALIASES = {"peephole": "peephole_lstm"}

#: gate blocks in torch's row order: (NumPy key suffix, sign); z = 1 − Γ_u gives sign −1.
NUMPY_GATES = {
    ("gru", "simplified"): (("u", -1), ("c", 1)),
    ("gru", "full"): (("r", 1), ("u", -1), ("c", 1)),
    ("gru", "reset_after"): (("r", 1), ("u", -1), ("c", 1)),
    ("lstm", None): (("u", 1), ("f", 1), ("c", 1), ("o", 1)),
}


def _spec(kind: str, variant: str | None) -> dict[str, tuple[str, ...]]:
    """NumPy keys and their shapes in notation for one cell."""
    if kind == "rnn":
        return {"Wax": ("n_a", "n_x"), "Waa": ("n_a", "n_a"), "ba": ("n_a", "1")}
    if kind == "peephole_lstm":
        return {"W": ("4 n_a", "n_x"), "R": ("4 n_a", "n_a"), "P": ("3 n_a", "1"), "b": ("4 n_a", "1")}
    spec = {}
    for g, _ in NUMPY_GATES[(kind, variant)]:
        spec[f"W{g}"] = ("n_a", "n_a + n_x")
        spec[f"b{g}"] = ("n_a", "1")
    if variant == "reset_after":
        spec["bca"] = ("n_a", "1")
    return spec


# --- kind inference -------------------------------------------------------------------------
def infer_kind(parameters: Mapping[str, Any], kind: str | None = None,
               variant: str | None = None) -> tuple[str, str | None]:
    """(kind, variant) of a NumPy parameter dict, from its keys; ``kind``/``variant`` override.

    Wax/Waa/ba → rnn; Wf, Wu, Wc, Wo → lstm; W, R, P, b → peephole_lstm; Wc, Wu → gru with
    no Wr → "simplified", Wr without bca → "full", Wr with bca → "reset_after".
    """
    if not isinstance(parameters, Mapping):
        raise TypeError(f"parameters must be a dict of NumPy arrays; got {type(parameters).__name__}")
    kind = _KIND_ALIASES.get(kind, kind)
    if kind is None:
        keys = set(parameters)
        if {"Wax", "Waa"} <= keys:
            kind = "rnn"
        elif {"W", "R", "P"} <= keys:
            kind = "peephole_lstm"
        elif {"Wf", "Wo"} <= keys:
            kind = "lstm"
        elif {"Wc", "Wu"} <= keys:
            kind = "gru"
        else:
            raise ValueError("cannot tell the cell from the keys " + ", ".join(sorted(map(str, keys)))
                             + ": expected Wax/Waa/ba (rnn), Wc/Wu[/Wr/bca] (gru), Wf/Wu/Wc/Wo (lstm) "
                             "or W/R/P/b (peephole_lstm); pass kind=")
    check_choice(kind, "kind", tuple(LAYER_CLASSES))
    if kind != "gru":
        return kind, None
    if variant is None:
        variant = "simplified" if "Wr" not in parameters else ("reset_after" if "bca" in parameters else "full")
    return kind, check_choice(variant, "variant", GRU_VARIANTS)


# --- NumPy -> seqlab.torch ----------------------------------------------------------------------
def _layers_of(parameters) -> tuple[list[list[Mapping]], bool]:
    """[[fwd] or [fwd, bwd] per layer], bidirectional."""
    if isinstance(parameters, Mapping):
        return [[parameters]], False
    if isinstance(parameters, (list, tuple)) and parameters:
        if all(isinstance(p, Mapping) for p in parameters):
            return [[p] for p in parameters], False
        if all(isinstance(p, (list, tuple)) and len(p) == 2 and all(isinstance(q, Mapping) for q in p)
               for p in parameters):
            return [list(p) for p in parameters], True
    raise TypeError("parameters must be a dict (one layer), a list of dicts (one per layer) or a list of "
                    f"(fwd, bwd) dict pairs (bidirectional layers); got {_describe(parameters)}")


def _describe(value) -> str:
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of {', '.join(sorted({type(v).__name__ for v in value})) or 'nothing'}"
    return type(value).__name__


def _sizes_of(kind: str, p: Mapping, spec: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    """n_a and n_x read from the first weight of ``spec``, for the shape checks of the others."""
    w = p.get(next(iter(spec)))
    if not isinstance(w, np.ndarray) or w.ndim != 2:
        return {}
    if kind == "rnn":
        return {"n_a": w.shape[0], "n_x": w.shape[1]}
    if kind == "peephole_lstm":
        return {"n_a": w.shape[0] // 4, "n_x": w.shape[1]}
    return {"n_a": w.shape[0], "n_x": w.shape[1] - w.shape[0]}


def _torch_arrays(kind: str, variant: str | None, p: Mapping, n_a: int) -> list[np.ndarray]:
    """NumPy dict → [W_ih, W_hh, b_ih, b_hh] (peephole: [W, R, P, b]), the order of
    :func:`~seqlab.torch.cells.parameter_names`, in torch's layout."""
    if kind == "rnn":
        return [p["Wax"], p["Waa"], p["ba"][:, 0], np.zeros_like(p["ba"][:, 0])]
    if kind == "peephole_lstm":
        return [p["W"], p["R"], p["P"][:, 0], p["b"][:, 0]]
    blocks = NUMPY_GATES[(kind, variant)]
    w = np.concatenate([sign * p[f"W{g}"] for g, sign in blocks])
    b_ih = np.concatenate([sign * p[f"b{g}"][:, 0] for g, sign in blocks])
    b_hh = np.zeros_like(b_ih)
    if variant == "reset_after":
        b_hh[2 * n_a:] = p["bca"][:, 0]
    return [w[:, n_a:], w[:, :n_a], b_ih, b_hh]


def _empty(cls, *args, device=None, dtype=None, **kwargs) -> nn.Module:
    """``cls(...)`` with uninitialized parameters: built on the meta device, so the global RNG
    is not consumed, then materialized on ``device``."""
    device = torch.device(device) if device is not None else torch.get_default_device()
    return cls(*args, device="meta", dtype=dtype, **kwargs).to_empty(device=device)


def _torch_dtype(dtype, array: np.ndarray) -> torch.dtype:
    if dtype is None:
        return torch.from_numpy(np.zeros(0, dtype=array.dtype)).dtype
    return dtype


def from_numpy(parameters, kind: str | None = None, variant: str | None = None, device=None,
               dtype: torch.dtype | None = None, *, nonlinearity: str = "tanh", batch_first: bool = False,
               cell: bool = False) -> nn.Module:
    """A seqlab.torch layer holding the given NumPy parameters.

    ``parameters``: one dict (one layer, one direction), a list of dicts (one per layer, as
    ``deep_forward``), or a list of ``(fwd, bwd)`` pairs (bidirectional layers).  The kind
    and GRU variant are inferred from the keys (:func:`infer_kind`); ``kind``/``variant``
    override, ``nonlinearity`` is the RNN's g.  ``cell=True`` returns a cell
    (:class:`RNNCell`, ...) for a single dict.  ``dtype`` defaults to the arrays' dtype;
    output-layer keys (``Wya``/``Wy``, ``by``) are not part of a recurrent layer and are
    ignored.
    """
    layers, bidirectional = _layers_of(parameters)
    kind, variant = infer_kind(layers[0][0], kind, variant)
    first = _check_numpy_layers(layers, kind, variant)
    n_a, n_x = first["n_a"], first["n_x"]
    dtype = _torch_dtype(dtype, layers[0][0][next(iter(_spec(kind, variant)))])
    option = variant if kind == "gru" else (check_choice(nonlinearity, "nonlinearity", NONLINEARITIES)
                                            if kind == "rnn" else None)
    if cell:
        if len(layers) != 1 or bidirectional:
            raise ValueError("cell=True needs one parameter dict (one layer, one direction)")
        module = _empty(CELL_CLASSES[kind], n_x, n_a, **_option_kwargs(kind, option), device=device, dtype=dtype)
        suffixes = [""]
    else:
        module = _empty(LAYER_CLASSES[kind], n_x, n_a, len(layers), batch_first=batch_first,
                        bidirectional=bidirectional, **_option_kwargs(kind, option), device=device, dtype=dtype)
        suffixes = [s for layer in range(len(layers)) for s in module._suffixes(layer)]
    dicts = [p for layer in layers for p in layer]
    with torch.no_grad():
        for p, suffix in zip(dicts, suffixes):
            for name, array in zip(parameter_names(kind, suffix), _torch_arrays(kind, variant, p, n_a)):
                getattr(module, name).copy_(torch.from_numpy(np.ascontiguousarray(array)))
    return module


def _option_kwargs(kind: str, option: str | None) -> dict[str, str]:
    return {"rnn": {"nonlinearity": option}, "gru": {"variant": option}}.get(kind, {})


def _check_numpy_layers(layers: list[list[Mapping]], kind: str, variant: str | None) -> dict[str, int]:
    """Check every dict against the cell's keys and shapes; layer l > 1 takes D n_a inputs."""
    spec = _spec(kind, variant)
    first: dict[str, int] = {}
    dtype = None
    for l, layer in enumerate(layers):
        for d, p in enumerate(layer):
            sizes = _sizes_of(kind, p, spec) if l == 0 and d == 0 else {"n_a": first["n_a"]}
            if l > 0:
                sizes["n_x"] = len(layer) * first["n_a"]
            elif d == 1:
                sizes["n_x"] = first["n_x"]
            where = f"parameters of layer {l + 1}" + (" (backward direction)" if d else "")
            if len(layers) == 1 and len(layer) == 1:
                dtype = check_parameters(p, spec, sizes, dtype=dtype)
            else:
                try:
                    dtype = check_parameters(p, spec, sizes, dtype=dtype, where=where)
                except (ValueError, TypeError) as err:
                    note = (f" (layer {l + 1} reads the outputs of layer {l}: n_x = {sizes['n_x']})"
                            if l > 0 else "")
                    raise type(err)(f"{where}: {err}{note}") from err
            if l == 0 and d == 0:
                first = {"n_a": sizes["n_a"], "n_x": sizes["n_x"]}
    return first


# --- seqlab.torch -> NumPy ----------------------------------------------------------------------
def _numpy_of(t: torch.Tensor | None) -> np.ndarray:
    return t.detach().cpu().numpy().copy()


def _one_to_numpy(module: nn.Module, kind: str, variant: str | None, suffix: str, grad: bool) -> dict:
    """One layer/direction → NumPy dict (or its gradient dict when ``grad``)."""
    names = parameter_names(kind, suffix)
    tensors = [getattr(module, n) for n in names]
    if grad:
        missing = [n for n, t in zip(names, tensors) if t is not None and t.grad is None]
        if missing:
            raise ValueError(f"{', '.join(missing)} has no gradient; call backward() first")
        tensors = [None if t is None else t.grad for t in tensors]
    w_ih, w_hh = _numpy_of(tensors[0]), _numpy_of(tensors[1])
    n_a = w_hh.shape[1]
    pre = "d" if grad else ""
    if kind == "peephole_lstm":
        b = np.zeros((w_ih.shape[0], 1), w_ih.dtype) if tensors[3] is None else _numpy_of(tensors[3])[:, None]
        return {f"{pre}W": w_ih, f"{pre}R": w_hh, f"{pre}P": _numpy_of(tensors[2])[:, None], f"{pre}b": b}
    b_ih, b_hh = (np.zeros(w_ih.shape[0], w_ih.dtype) if t is None else _numpy_of(t) for t in tensors[2:])
    # from_numpy puts each bias in b_ih: a value is the sum b_ih + b_hh, a gradient is d b_ih
    b_sum = b_ih if grad else b_ih + b_hh
    if kind == "rnn":
        return {f"{pre}Wax": w_ih, f"{pre}Waa": w_hh, f"{pre}ba": b_sum[:, None]}
    out = {}
    w = np.concatenate([w_hh, w_ih], axis=1)            # acts on [a^<t-1>; x^<t>]
    for k, (g, sign) in enumerate(NUMPY_GATES[(kind, variant)]):
        rows = slice(k * n_a, (k + 1) * n_a)
        out[f"{pre}W{g}"] = sign * w[rows] if sign < 0 else w[rows]
        b = b_ih[rows] if (variant == "reset_after" and g == "c") else b_sum[rows]
        out[f"{pre}b{g}"] = (-b if sign < 0 else b)[:, None]
    if variant == "reset_after":
        out[f"{pre}bca"] = b_hh[2 * n_a:, None]
    return out


def _module_info(module: nn.Module) -> tuple[str, str | None]:
    if not isinstance(module, (_Cell, _Recurrent)):
        raise TypeError(f"expected a seqlab.torch cell or layer (RNN, GRU, LSTM, PeepholeLSTM, ...Cell); "
                        f"got {type(module).__name__}")
    return module.kind, getattr(module, "variant", None)


def _convert_structure(module: nn.Module, grad: bool):
    kind, variant = _module_info(module)
    if isinstance(module, _Cell):
        return _one_to_numpy(module, kind, variant, "", grad)
    layers = [[_one_to_numpy(module, kind, variant, s, grad) for s in module._suffixes(layer)]
              for layer in range(module.num_layers)]
    if module.bidirectional:
        return [tuple(layer) for layer in layers]
    return layers[0][0] if module.num_layers == 1 else [layer[0] for layer in layers]


def to_numpy(module: nn.Module):
    """The NumPy parameter dict(s) of a seqlab.torch cell or layer; exact inverse of :func:`from_numpy`.

    Returns a dict for a cell or a one-layer unidirectional layer, a list of dicts (one per
    layer) for a deep one, a list of ``(fwd, bwd)`` pairs when bidirectional.  Biases are
    (n_a, 1) with torch's two biases summed (the reset-after GRU keeps b_ca = b_hn apart);
    ``bias=False`` gives zero biases.
    """
    return _convert_structure(module, grad=False)


def grads_to_numpy(module: nn.Module):
    """The ``.grad`` of a module's parameters as NumPy gradient dicts (``dWax``, ``dbu``, ...).

    These are the gradients with respect to the NumPy parameters that :func:`from_numpy`
    loaded (each bias sits in ``bias_ih``; ``dW_u = −dW_z``), the same structure as
    :func:`to_numpy` -- what ``rnn_backward``/``gru_backward``/... return.
    """
    return _convert_structure(module, grad=True)


# --- torch.nn <-> seqlab.torch --------------------------------------------------------------------
_NN_LAYERS = {nn.RNN: "rnn", nn.GRU: "gru", nn.LSTM: "lstm"}
_NN_CELLS = {nn.RNNCell: "rnn", nn.GRUCell: "gru", nn.LSTMCell: "lstm"}


def _copy_state(src: nn.Module, dst: nn.Module) -> nn.Module:
    with torch.no_grad():
        dst.load_state_dict(src.state_dict(), strict=True)
    dst.train(src.training)
    return dst


def from_torch_nn(module: nn.Module) -> nn.Module:
    """The seqlab.torch equivalent of a ``torch.nn.RNN``/``GRU``/``LSTM`` (or ``...Cell``).

    Same hyper-parameters (num_layers, bidirectional, batch_first, dropout, nonlinearity),
    device, dtype and parameter values; ``torch.nn.GRU`` becomes ``GRU(variant="reset_after")``.
    """
    cls = type(module)
    if cls in _NN_CELLS:
        kind = _NN_CELLS[cls]
        w = module.weight_ih
        out = _empty(CELL_CLASSES[kind], module.input_size, module.hidden_size, module.bias,
                     **_nn_option(kind, module), device=w.device, dtype=w.dtype)
        return _copy_state(module, out)
    if cls not in _NN_LAYERS:
        raise TypeError(f"from_torch_nn expects torch.nn.RNN, GRU, LSTM, RNNCell, GRUCell or LSTMCell; "
                        f"got {cls.__name__}")
    if getattr(module, "proj_size", 0):
        raise ValueError(f"torch.nn.LSTM with proj_size={module.proj_size} has no seqlab.torch equivalent")
    kind, w = _NN_LAYERS[cls], module.weight_ih_l0
    out = _empty(LAYER_CLASSES[kind], module.input_size, module.hidden_size, module.num_layers,
                 bias=module.bias, batch_first=module.batch_first, dropout=module.dropout,
                 bidirectional=module.bidirectional, **_nn_option(kind, module), device=w.device, dtype=w.dtype)
    return _copy_state(module, out)


def _nn_option(kind: str, module: nn.Module) -> dict[str, str]:
    if kind == "rnn":
        return {"nonlinearity": module.nonlinearity}
    return {"variant": "reset_after"} if kind == "gru" else {}


def to_torch_nn(module: nn.Module) -> nn.Module:
    """The ``torch.nn.RNN``/``GRU``/``LSTM`` (or ``...Cell``) equivalent of a seqlab.torch module.

    Only what ``torch.nn`` has: the GRU in its "reset_after" variant, no peephole LSTM.
    """
    kind, variant = _module_info(module)
    if kind == "peephole_lstm":
        raise ValueError("torch.nn has no peephole LSTM; PeepholeLSTM/PeepholeLSTMCell cannot be converted")
    if kind == "gru" and variant != "reset_after":
        raise ValueError(f"torch.nn.GRU is the 'reset_after' variant; a GRU with variant={variant!r} "
                         "computes something else and cannot be converted")
    w = module.weight_ih if isinstance(module, _Cell) else module.weight_ih_l0
    opt = {"nonlinearity": module.nonlinearity} if kind == "rnn" else {}
    if isinstance(module, _Cell):
        cls = {"rnn": nn.RNNCell, "gru": nn.GRUCell, "lstm": nn.LSTMCell}[kind]
        out = _empty(cls, module.input_size, module.hidden_size, module.has_bias, device=w.device,
                     dtype=w.dtype, **opt)
        return _copy_state(module, out)
    cls = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[kind]
    out = _empty(cls, module.input_size, module.hidden_size, module.num_layers, bias=module.bias,
                 batch_first=module.batch_first, dropout=module.dropout, bidirectional=module.bidirectional,
                 device=w.device, dtype=w.dtype, **opt)
    _copy_state(module, out)
    out.flatten_parameters()
    return out


# --- tensors ---------------------------------------------------------------------------------------
def x_to_torch(x: np.ndarray, device=None, dtype: torch.dtype | None = None) -> torch.Tensor:
    """A NumPy sequence (n_x, m, T_x) as torch's time-major (T_x, m, n_x) tensor (a copy).

    Works for any (n, m, T_x) sequence (``x``, ``a``, ``da``...).
    """
    check_array(x, "x", ("n_x", "m", "T_x"))
    t = torch.from_numpy(np.array(x.transpose(2, 1, 0), order="C"))   # always a copy (x may be read-only)
    return t.to(device=device, dtype=dtype or t.dtype)


def x_to_numpy(t: torch.Tensor) -> np.ndarray:
    """A torch sequence (T_x, m, n) as seqlab.numpy's (n, m, T_x) array (a copy)."""
    if not isinstance(t, torch.Tensor) or t.dim() != 3:
        raise ValueError(f"expected a (T_x, m, n) tensor; got {_shape_text(t)}")
    return np.ascontiguousarray(_numpy_of(t).transpose(2, 1, 0))


def state_to_torch(a: np.ndarray | Sequence[np.ndarray], device=None,
                   dtype: torch.dtype | None = None) -> torch.Tensor:
    """a^<0> (n_a, m) → (m, n_a); a list of them (one per layer and direction) → (len, m, n_a),
    the h_0 of a seqlab.torch / torch.nn layer."""
    if isinstance(a, np.ndarray):
        check_array(a, "a0", ("n_a", "m"))
        t = torch.from_numpy(np.array(a.T, order="C"))                  # always a copy
    else:
        t = torch.stack([state_to_torch(s) for s in a])
    return t.to(device=device, dtype=dtype or t.dtype)


def state_to_numpy(t: torch.Tensor):
    """(m, n_a) → a (n_a, m) array; (k, m, n_a) → a list of k (n_a, m) arrays."""
    if not isinstance(t, torch.Tensor) or t.dim() not in (2, 3):
        raise ValueError(f"expected an (m, n_a) or (k, m, n_a) tensor; got {_shape_text(t)}")
    if t.dim() == 3:
        return [state_to_numpy(s) for s in t.unbind(0)]
    return np.ascontiguousarray(_numpy_of(t).T)


def _shape_text(t) -> str:
    return f"shape {tuple(t.shape)}" if hasattr(t, "shape") else type(t).__name__
