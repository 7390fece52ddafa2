"""One time step of each cell as an ``nn.Module``, called like ``torch.nn``'s cells.

``cell(x_t, hx)`` takes ``x^<t>`` as a row batch ``(m, n_x)`` (or one example ``(n_x,)``)
and the previous state as ``(m, n_a)``: ``a^<t-1>`` for :class:`RNNCell` and
:class:`GRUCell` (returns ``a^<t>``), the pair ``(a^<t-1>, c^<t-1>)`` for
:class:`LSTMCell` and :class:`PeepholeLSTMCell` (returns ``(a^<t>, c^<t>)``).  A missing
state is zeros.

Parameters are stored fused, with ``torch.nn``'s names and layout (``weight_ih``,
``weight_hh``, ``bias_ih``, ``bias_hh``), so the state dicts of :class:`RNNCell`,
:class:`GRUCell` (``variant="reset_after"``) and :class:`LSTMCell` load into
``torch.nn.RNNCell``/``GRUCell``/``LSTMCell`` and back.  The equations are those of
:mod:`seqlab.torch.functional`.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from ..notation import text_of
from .functional import GRU_VARIANTS, NONLINEARITIES, Weights, gate_blocks, make_step, project
from .validation import check_choice, check_size, check_tensor

__all__ = ["RNNCell", "GRUCell", "LSTMCell", "PeepholeLSTMCell"]

ROW_LAYOUT = ("seqlab.torch uses torch's batch-first row layout (m, n) for one time step, "
              "not seqlab.numpy's column layout (n, m)")


def parameter_names(kind: str, suffix: str = "") -> tuple[str, str, str, str]:
    """Names of (W_ih, W_hh, first bias, second bias or peepholes) for one layer and direction."""
    if kind == "peephole_lstm":
        return f"weight_ih{suffix}", f"weight_hh{suffix}", f"weight_peep{suffix}", f"bias{suffix}"
    return f"weight_ih{suffix}", f"weight_hh{suffix}", f"bias_ih{suffix}", f"bias_hh{suffix}"


def register_parameters(module: nn.Module, kind: str, option: str | None, n_x: int, n_a: int,
                        bias: bool, suffix: str = "", device=None, dtype=None) -> None:
    """Create the fused parameters of one cell in ``torch.nn``'s order and names.

    W_ih (G n_a, n_x), W_hh (G n_a, n_a), then b_ih, b_hh (G n_a,) when ``bias``; the peephole
    LSTM has W (4 n_a, n_x), R (4 n_a, n_a), P (3 n_a,) and b (4 n_a,) instead.  Values are
    left uninitialized (see :func:`init_uniform`).
    """
    g = gate_blocks(kind, option) * n_a
    factory = {"device": device, "dtype": dtype}
    n_ih, n_hh, n_3, n_4 = parameter_names(kind, suffix)
    setattr(module, n_ih, nn.Parameter(torch.empty(g, n_x, **factory)))
    setattr(module, n_hh, nn.Parameter(torch.empty(g, n_a, **factory)))
    if kind == "peephole_lstm":
        setattr(module, n_3, nn.Parameter(torch.empty(3 * n_a, **factory)))
        if bias:
            setattr(module, n_4, nn.Parameter(torch.empty(g, **factory)))
        else:
            module.register_parameter(n_4, None)
        return
    for name in (n_3, n_4):
        if bias:
            setattr(module, name, nn.Parameter(torch.empty(g, **factory)))
        else:
            module.register_parameter(name, None)


def init_uniform(module: nn.Module, n_a: int) -> None:
    """Initialize every parameter from U(−1/√n_a, 1/√n_a), in registration order, from
    torch's global generator -- exactly as ``torch.nn.RNN``/``GRU``/``LSTM`` do."""
    bound = 1.0 / math.sqrt(n_a)
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-bound, bound)


def gather_weights(module: nn.Module, kind: str, suffix: str = "") -> Weights:
    """The :class:`~seqlab.torch.functional.Weights` of one layer and direction."""
    params = [getattr(module, name) for name in parameter_names(kind, suffix)]
    if kind == "peephole_lstm":
        w_ih, w_hh, w_peep, b = params
        return Weights(w_ih, w_hh, b, None, w_peep)
    return Weights(*params)


class _Cell(nn.Module):
    """Shared machinery of the four cells: parameters, checks, one step."""

    kind: str = ""
    #: notation names of the state tensors, in order (a^<t-1>[, c^<t-1>])
    state_names: tuple[str, ...] = ("a_prev",)

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, option: str | None = None,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = check_size(input_size, "input_size (n_x)")
        self.hidden_size = check_size(hidden_size, "hidden_size (n_a)")
        #: whether the cell has biases (``bias`` itself is that flag, as in torch.nn's cells,
        #: except in :class:`PeepholeLSTMCell` where ``bias`` is the parameter b)
        self.has_bias = bool(bias)
        if self.kind != "peephole_lstm":
            self.bias = self.has_bias
        self._option = option
        register_parameters(self, self.kind, option, input_size, hidden_size, self.has_bias,
                            device=device, dtype=dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """U(±1/√n_a) for every parameter, as ``torch.nn``."""
        init_uniform(self, self.hidden_size)

    def weights(self) -> Weights:
        """This cell's parameters as :class:`~seqlab.torch.functional.Weights`."""
        return gather_weights(self, self.kind)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.has_bias:
            s += ", bias=False"
        return s

    def _check_input(self, x) -> tuple[torch.Tensor, bool]:
        ref = self.weight_ih
        if isinstance(x, torch.Tensor) and x.dim() == 1:
            check_tensor(x, "x_t", ("n_x",), {"n_x": self.input_size}, dtype=ref.dtype, device=ref.device,
                         layout=ROW_LAYOUT)
            return x.unsqueeze(0), False
        sizes = {"n_x": self.input_size}
        check_tensor(x, "x_t", ("m", "n_x"), sizes, dtype=ref.dtype, device=ref.device, layout=ROW_LAYOUT)
        return x, True

    def _check_state(self, hx, m: int, batched: bool) -> tuple[torch.Tensor, ...]:
        ref = self.weight_ih
        n_state = len(self.state_names)
        if hx is None:
            zeros = torch.zeros(m, self.hidden_size, dtype=ref.dtype, device=ref.device)
            return (zeros,) * n_state
        states = (hx,) if n_state == 1 else hx
        if n_state > 1 and (not isinstance(hx, (tuple, list)) or len(hx) != n_state):
            raise TypeError(f"hx must be a tuple ({', '.join(self._state_texts())}) of tensors; "
                            f"got {type(hx).__name__}")
        dims = ("m", "n_a") if batched else ("n_a",)
        out = []
        for name, s in zip(self.state_names, states):
            check_tensor(s, name, dims, {"m": m, "n_a": self.hidden_size}, dtype=ref.dtype,
                         device=ref.device, layout=ROW_LAYOUT)
            out.append(s if batched else s.unsqueeze(0))
        return tuple(out)

    def _state_texts(self) -> list[str]:
        return [text_of(n) for n in self.state_names]

    def forward(self, input: torch.Tensor, hx=None):
        """One time step from x^<t> (m, n_x) and the previous state; see the class docstring."""
        x, batched = self._check_input(input)
        state = self._check_state(hx, x.shape[0], batched)
        w = self.weights()
        new = make_step(self.kind, w, self._option)(project(self.kind, x, w, self._option), state)
        if not batched:
            new = tuple(s.squeeze(0) for s in new)
        return new[0] if len(new) == 1 else new


class RNNCell(_Cell):
    """a^<t> = g(W_aa a^<t-1> + W_ax x^<t> + b_a), g = tanh or ReLU.

    ``weight_ih`` is W_ax (n_a, n_x), ``weight_hh`` is W_aa (n_a, n_a); b_a = bias_ih + bias_hh.
    """

    kind = "rnn"
    state_names = ("a_prev",)

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None) -> None:
        check_choice(nonlinearity, "nonlinearity", NONLINEARITIES)
        super().__init__(input_size, hidden_size, bias, nonlinearity, device, dtype)
        self.nonlinearity = nonlinearity

    def extra_repr(self) -> str:
        s = super().extra_repr()
        return s if self.nonlinearity == "tanh" else s + f", nonlinearity={self.nonlinearity!r}"


class GRUCell(_Cell):
    """GRU cell, ``variant`` "reset_after" (``torch.nn.GRUCell``), "full" (Cho et al.) or
    "simplified" (no Γ_r).

    c^<t> = Γ_u ⊙ c̃ + (1 − Γ_u) ⊙ c^<t-1> (c^<t> = a^<t>).  Rows are torch's [r; z; n]
    ([z; n] for "simplified") with z = 1 − Γ_u; see :mod:`seqlab.torch.functional` for c̃.
    """

    kind = "gru"
    state_names = ("c_prev",)

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, *, variant: str = "reset_after",
                 device=None, dtype=None) -> None:
        check_choice(variant, "variant", GRU_VARIANTS)
        super().__init__(input_size, hidden_size, bias, variant, device, dtype)
        self.variant = variant

    def extra_repr(self) -> str:
        return super().extra_repr() + f", variant={self.variant!r}"


class LSTMCell(_Cell):
    """LSTM cell: rows [i; f; g; o] = [Γ_u; Γ_f; c̃; Γ_o] of the notes,
    c^<t> = Γ_f ⊙ c^<t-1> + Γ_u ⊙ c̃, a^<t> = Γ_o ⊙ tanh(c^<t>).  ``hx = (a^<t-1>, c^<t-1>)``.
    """

    kind = "lstm"
    state_names = ("a_prev", "c_prev")

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, None, device, dtype)


class PeepholeLSTMCell(_Cell):
    """Peephole LSTM cell in the vectorized form of Greff et al.

    ``weight_ih`` = W (4 n_a, n_x), ``weight_hh`` = R (4 n_a, n_a), rows [c̃; Γ_u; Γ_f; Γ_o];
    ``weight_peep`` = P (3 n_a,), rows [Γ_u; Γ_f; Γ_o]; ``bias`` = b (4 n_a,) (``None`` with
    ``bias=False``, as in ``nn.Linear``).  ``hx = (a^<t-1>, c^<t-1>)``.
    """

    kind = "peephole_lstm"
    state_names = ("a_prev", "c_prev")

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, None, device, dtype)
