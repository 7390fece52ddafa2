"""Recurrent layers over whole sequences, called like ``torch.nn.RNN``/``GRU``/``LSTM``.

``layer(x, hx=None)`` takes ``x`` as ``(T_x, m, n_x)`` (``(m, T_x, n_x)`` with
``batch_first=True``; one unbatched sequence ``(T_x, n_x)`` also works) and returns
exactly what ``torch.nn`` returns:

* :class:`RNN`, :class:`GRU`: ``output, h_n``;
* :class:`LSTM`, :class:`PeepholeLSTM`: ``output, (h_n, c_n)``;

``output`` is ``(T_x, m, D n_a)`` -- a^<t> of the top layer, with ``[a→^<t>; a←^<t>]``
when bidirectional (D = 2) -- and ``h_n``/``c_n`` are ``(num_layers D, m, n_a)``, row
``l D + d`` for layer l and direction d, never batch-first.  Deep layers follow
a^[l]<t> = cell(a^[l]<t-1>, a^[l-1]<t>) with a^[0]<t> = x^<t>.

Parameters have ``torch.nn``'s names and fused layout (``weight_ih_l{k}[_reverse]``, ...),
so state dicts are interchangeable with ``torch.nn.RNN``, ``torch.nn.GRU`` (variant
"reset_after") and ``torch.nn.LSTM``.  Each layer and direction projects the inputs of all
time steps with one matmul and loops only over the recurrent part
(:func:`seqlab.torch.functional.run_sequence`).  For the RNN, the reset-after GRU and the
LSTM, a layer runs by default as one autograd node per layer and direction with a
hand-written backward pass (:mod:`seqlab.torch.fused`: same values, far less autograd
overhead); ``layer.fused = False`` selects the autograd path.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .cells import gather_weights, init_uniform, register_parameters
from .functional import GRU_VARIANTS, NONLINEARITIES, Weights, run_sequence
from .fused import run_fused, supports_fused
from .validation import check_choice, check_size, check_tensor

__all__ = ["RNN", "GRU", "LSTM", "PeepholeLSTM"]

SEQ_LAYOUT = ("seqlab.torch uses torch's time-major layout (T_x, m, n_x) (batch_first=True: (m, T_x, n_x)), "
              "not seqlab.numpy's (n_x, m, T_x); convert NumPy sequences with seqlab.torch.convert.x_to_torch")
STATE_LAYOUT = ("h_0/c_0 are always (num_layers·num_directions, m, n_a), also with batch_first=True "
                "(torch's convention), not seqlab.numpy's (n_a, m)")
_LD = "num_layers·num_directions"


class _Recurrent(nn.Module):
    """Shared machinery: parameters of every layer and direction, checks, the layer loop."""

    kind: str = ""
    #: labels of the initial-state tensors in messages
    state_labels: tuple[str, ...] = ("a^<0> (h_0)",)
    #: run each layer and direction as one autograd node with a hand-written BPTT
    #: (:mod:`seqlab.torch.fused`) where the cell supports it; ``False``: the time loop of
    #: tensor operations differentiated by autograd (:func:`~seqlab.torch.functional.run_sequence`),
    #: which also supports double backward.  Same values either way.
    fused: bool = True

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 option: str | None = None, device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = check_size(input_size, "input_size (n_x)")
        self.hidden_size = check_size(hidden_size, "hidden_size (n_a)")
        self.num_layers = check_size(num_layers, "num_layers")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise ValueError(f"dropout must be a probability in [0, 1]; got {dropout!r}")
        self.bias, self.batch_first, self.bidirectional = bool(bias), bool(batch_first), bool(bidirectional)
        self.dropout = float(dropout)
        self._option = option
        for layer in range(num_layers):
            n_in = input_size if layer == 0 else hidden_size * self.num_directions
            for suffix in self._suffixes(layer):
                register_parameters(self, self.kind, option, n_in, hidden_size, self.bias, suffix,
                                    device=device, dtype=dtype)
        self.reset_parameters()

    @property
    def num_directions(self) -> int:
        """D: 2 when bidirectional, else 1."""
        return 2 if self.bidirectional else 1

    def _suffixes(self, layer: int) -> list[str]:
        return [f"_l{layer}"] + ([f"_l{layer}_reverse"] if self.bidirectional else [])

    def reset_parameters(self) -> None:
        """U(±1/√n_a) for every parameter, in torch.nn's order (same values for the same seed)."""
        init_uniform(self, self.hidden_size)

    def weights(self, layer: int, direction: int = 0) -> Weights:
        """Parameters of layer ``layer`` (0-based), direction 0 (→) or 1 (←)."""
        return gather_weights(self, self.kind, self._suffixes(layer)[direction])

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        for name, default in (("num_layers", 1), ("bias", True), ("batch_first", False),
                              ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, name) != default:
                s += f", {name}={getattr(self, name)}"
        return s

    # -- checks -------------------------------------------------------------------------
    def _check_input(self, input) -> tuple[torch.Tensor, bool]:
        """x as time-major (T_x, m, n_x), and whether it was batched."""
        ref = self.weight_ih_l0
        if isinstance(input, torch.Tensor) and input.dim() == 2:
            dims: tuple[str, ...] = ("T_x", "n_x")
        else:
            dims = ("m", "T_x", "n_x") if self.batch_first else ("T_x", "m", "n_x")
        sizes = {"n_x": self.input_size}
        check_tensor(input, "x", dims, sizes, dtype=ref.dtype, device=ref.device,
                     layout=SEQ_LAYOUT + self._numpy_hint(input))
        if sizes["T_x"] < 1:
            raise ValueError(f"x must have T_x ≥ 1 time steps; got shape {tuple(input.shape)}")
        if len(dims) == 2:
            return input.unsqueeze(1), False
        return (input.transpose(0, 1) if self.batch_first else input), True

    def _numpy_hint(self, input) -> str:
        shape = tuple(getattr(input, "shape", ()))
        if len(shape) == 3 and shape[0] == self.input_size and shape[-1] != self.input_size:
            return " (the shape looks like seqlab.numpy's (n_x, m, T_x))"
        return ""

    def _check_state(self, hx, m: int, batched: bool) -> tuple[torch.Tensor, ...]:
        ref = self.weight_ih_l0
        n_state, rows = len(self.state_labels), self.num_layers * self.num_directions
        if hx is None:
            return (torch.zeros(rows, m, self.hidden_size, dtype=ref.dtype, device=ref.device),) * n_state
        if n_state > 1 and (not isinstance(hx, (tuple, list)) or len(hx) != n_state):
            raise TypeError(f"hx must be a tuple (h_0, c_0) = (a^<0>, c^<0>) of tensors; got {type(hx).__name__}")
        states = (hx,) if n_state == 1 else tuple(hx)
        dims = (_LD, "m", "n_a") if batched else (_LD, "n_a")
        out = []
        for label, s in zip(self.state_labels, states):
            check_tensor(s, label, dims, {_LD: rows, "m": m, "n_a": self.hidden_size},
                         dtype=ref.dtype, device=ref.device, layout=STATE_LAYOUT)
            out.append(s if batched else s.unsqueeze(1))
        return tuple(out)

    # -- forward --------------------------------------------------------------------------
    def forward(self, input: torch.Tensor, hx=None):
        """Run every layer and direction over ``input``; returns what torch.nn returns."""
        x, batched = self._check_input(input)
        initial = self._check_state(hx, x.shape[1], batched)
        per_row = [s.unbind(0) for s in initial]       # one state tuple per (layer, direction)
        finals = []
        run = run_fused if self.fused and supports_fused(self.kind, self._option) else run_sequence
        for layer in range(self.num_layers):
            outputs = []
            for d in range(self.num_directions):
                row = layer * self.num_directions + d
                out, state = run(self.kind, x, tuple(s[row] for s in per_row),
                                 self.weights(layer, d), self._option, reverse=d == 1)
                outputs.append(out)
                finals.append(state)
            x = outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True)
        return self._pack(x, finals, batched)

    def _pack(self, output: torch.Tensor, finals: list[tuple[torch.Tensor, ...]], batched: bool):
        states = [torch.stack([f[i] for f in finals]) for i in range(len(self.state_labels))]
        if not batched:
            output, states = output.squeeze(1), [s.squeeze(1) for s in states]
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, (states[0] if len(states) == 1 else tuple(states))


class RNN(_Recurrent):
    """Vanilla RNN layer: a^<t> = g(W_aa a^<t-1> + W_ax x^<t> + b_a), g = tanh or ReLU.

    Arguments in ``torch.nn.RNN``'s order; ``weight_ih_l0`` is W_ax, ``weight_hh_l0`` is W_aa.
    """

    kind = "rnn"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, *, device=None, dtype=None) -> None:
        check_choice(nonlinearity, "nonlinearity", NONLINEARITIES)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         nonlinearity, device, dtype)
        self.nonlinearity = nonlinearity

    def extra_repr(self) -> str:
        s = super().extra_repr()
        return s if self.nonlinearity == "tanh" else s + f", nonlinearity={self.nonlinearity!r}"


class GRU(_Recurrent):
    """GRU layer, ``variant`` "reset_after" (= ``torch.nn.GRU``), "full" (Cho et al.) or
    "simplified"; c^<t> = Γ_u ⊙ c̃ + (1 − Γ_u) ⊙ c^<t-1>, rows [r; z; n] with z = 1 − Γ_u.
    """

    kind = "gru"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, *,
                 variant: str = "reset_after", device=None, dtype=None) -> None:
        check_choice(variant, "variant", GRU_VARIANTS)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         variant, device, dtype)
        self.variant = variant

    def extra_repr(self) -> str:
        return super().extra_repr() + f", variant={self.variant!r}"


class LSTM(_Recurrent):
    """LSTM layer, rows [i; f; g; o] = [Γ_u; Γ_f; c̃; Γ_o]; ``hx = (h_0, c_0)``,
    returns ``output, (h_n, c_n)`` as ``torch.nn.LSTM``."""

    kind = "lstm"
    state_labels = ("a^<0> (h_0)", "c^<0> (c_0)")

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, *,
                 device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         None, device, dtype)


class PeepholeLSTM(_Recurrent):
    """Peephole LSTM layer (Greff et al.): per layer and direction ``weight_ih_l{k}`` = W,
    ``weight_hh_l{k}`` = R (rows [c̃; Γ_u; Γ_f; Γ_o]), ``weight_peep_l{k}`` = P (3 n_a,),
    ``bias_l{k}`` = b.  Called and returning like :class:`LSTM`."""

    kind = "peephole_lstm"
    state_labels = ("a^<0> (h_0)", "c^<0> (c_0)")

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, *,
                 device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         None, device, dtype)
