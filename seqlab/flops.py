"""Counted cost of recurrent cells and stacks: parameters and FLOPs per time step (chapter 12).

Counts are exact formulas, not measurements, so they are the same on every machine.

**Parameters** follow the course's parameter dicts (one bias per gate, as
:mod:`seqlab.numpy.init` builds them).  A cell with G gate blocks acting on
[a^<t-1>; x^<t>] has G (n_a (n_a + n_x) + n_a) parameters:

============================ ==== ===========================================
cell                         G    extra
============================ ==== ===========================================
rnn                          1
gru "simplified"             2
gru "full"                   3
gru "reset_after"            3    b_ca: n_a
lstm                         4
peephole_lstm                4    P: 3 n_a
============================ ==== ===========================================

``torch.nn`` keeps two bias vectors per gate block (b_ih and b_hh), G n_a more per layer
and direction; ``bias_vectors=2`` counts them that way.

**FLOPs per time step and example.**  A matrix–vector product with an (r, c) matrix costs
2 r c FLOPs (one multiply and one add per weight); every element-wise operation on an
n_a-vector (a bias add, σ, tanh, ⊙, +, 1 − Γ) counts n_a.  The matrix part is

    matmul = 2 G n_a (n_a + n_x)

and the element-wise part, per cell (n_a × the number of vector operations):

* rnn: bias, g                                                     2 n_a
* gru simplified: 2 biases, σ, tanh, c^<t> = Γ_u c̃ + (1 − Γ_u) c^<t-1> (4 ops)   8 n_a
* gru full: 3 biases, 2 σ, Γ_r ⊙ c^<t-1>, tanh, c^<t> (4 ops)       11 n_a
* gru reset_after: as full, plus b_ca and the sum W_cx x^<t> + Γ_r ⊙ (…)    13 n_a
* lstm: 4 biases, 3 σ, tanh, c^<t> = Γ_f c^<t-1> + Γ_u c̃ (3 ops), tanh c^<t>, Γ_o ⊙   13 n_a
* peephole_lstm: as lstm, plus 3 peepholes (⊙ and + each)            19 n_a

The matrix part dominates as soon as n_a is more than a few units, and it is exactly what
``torch.utils.flop_counter.FlopCounterMode`` counts for a :mod:`seqlab.torch` layer
(the tests check that).  An output layer ŷ^<t> = softmax(W_ya a^<t> + b_y) adds
2 n_y n_a (matmul) + n_y (bias) + 3 n_y (softmax: exp, sum, divide).

In a deep RNN layer l reads a^[l-1]<t>: its n_x is the n_a of the layer below (2 n_a when
the layers are bidirectional), and a bidirectional layer costs twice a one-directional
one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["CELL_VARIANTS", "gate_blocks", "parameter_count", "flops_per_step", "StackCost", "stack_cost"]

#: (kind, variant) pairs counted here; variant is None except for the GRU.
CELL_VARIANTS = (("rnn", None), ("gru", "simplified"), ("gru", "full"), ("gru", "reset_after"),
                 ("lstm", None), ("peephole_lstm", None))
_GATES = {("rnn", None): 1, ("gru", "simplified"): 2, ("gru", "full"): 3, ("gru", "reset_after"): 3,
          ("lstm", None): 4, ("peephole_lstm", None): 4}
#: extra parameter vectors of n_a entries: b_ca, and the three peepholes
_EXTRA_VECTORS = {("gru", "reset_after"): 1, ("peephole_lstm", None): 3}
#: element-wise vector operations per step (see the module docstring)
_ELEMENTWISE = {("rnn", None): 2, ("gru", "simplified"): 8, ("gru", "full"): 11, ("gru", "reset_after"): 13,
                ("lstm", None): 13, ("peephole_lstm", None): 19}


def _cell(kind: Any, variant: Any) -> tuple[str, str | None]:
    """(kind, variant) with the GRU's default variant "full"; rejects unknown cells."""
    if kind == "gru":
        variant = "full" if variant is None else variant
    elif variant is not None:
        raise ValueError(f"variant is for the GRU only; got variant={variant!r} with kind={kind!r}")
    if (kind, variant) not in _GATES:
        kinds = sorted({k for k, _ in _GATES})
        if kind not in kinds:
            raise ValueError(f"kind must be one of {', '.join(map(repr, kinds))}; got {kind!r}")
        raise ValueError(f"variant must be 'simplified', 'full' or 'reset_after'; got {variant!r}")
    return kind, variant


def _size(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value}")
    return value


def gate_blocks(kind: str, variant: str | None = None) -> int:
    """G, the number of (n_a, n_a + n_x) weight blocks of the cell."""
    return _GATES[_cell(kind, variant)]


def parameter_count(kind: str, n_x: int, n_a: int, variant: str | None = None, *,
                    bias_vectors: int = 1) -> int:
    """Parameters of one recurrent cell (one layer, one direction), without an output layer.

    G (n_a (n_a + n_x) + bias_vectors · n_a) plus b_ca (reset-after GRU) or P (peephole
    LSTM).  ``bias_vectors=2`` counts like ``torch.nn`` (b_ih and b_hh).
    """
    cell = _cell(kind, variant)
    n_x, n_a = _size(n_x, "n_x"), _size(n_a, "n_a")
    if bias_vectors not in (1, 2):
        raise ValueError(f"bias_vectors must be 1 (the course's dicts) or 2 (torch.nn); got {bias_vectors!r}")
    G = _GATES[cell]
    extra = _EXTRA_VECTORS.get(cell, 0)
    if bias_vectors == 2 and cell == ("gru", "reset_after"):
        extra = 0                                  # torch's b_hn is the course's b_ca
    return G * (n_a * (n_a + n_x) + bias_vectors * n_a) + extra * n_a


def flops_per_step(kind: str, n_x: int, n_a: int, variant: str | None = None) -> dict[str, int]:
    """FLOPs of one time step for one example: ``{"matmul", "elementwise", "total"}``.

    matmul = 2 G n_a (n_a + n_x); elementwise = (vector operations of the cell) · n_a, as
    listed in the module docstring.  For a batch of m examples and T_x steps multiply by
    m T_x.
    """
    cell = _cell(kind, variant)
    n_x, n_a = _size(n_x, "n_x"), _size(n_a, "n_a")
    matmul = 2 * _GATES[cell] * n_a * (n_a + n_x)
    elementwise = _ELEMENTWISE[cell] * n_a
    return {"matmul": matmul, "elementwise": elementwise, "total": matmul + elementwise}


@dataclass(frozen=True)
class StackCost:
    """Counted cost of a stack of recurrent layers (and its output layer, if any)."""

    parameters: int            #: every weight and bias
    flops_per_step: int        #: FLOPs per time step and example (matmul + element-wise)
    matmul_flops_per_step: int  #: the matrix–vector part alone
    layer_parameters: tuple[int, ...]  #: parameters of each recurrent layer (both directions)
    layer_flops: tuple[int, ...]       #: FLOPs per step of each recurrent layer (both directions)


def stack_cost(kind: str, n_x: int, n_a: int, n_layers: int = 1, n_y: int | None = None, *,
               variant: str | None = None, bidirectional: bool = False, bias_vectors: int = 1) -> StackCost:
    """Parameters and FLOPs per step of ``n_layers`` stacked layers a^[1] … a^[L] (+ output layer).

    Layer 1 reads x^<t> (n_x), layer l > 1 reads a^[l-1]<t> (n_a, or 2 n_a when
    bidirectional); a bidirectional layer is two cells.  With ``n_y`` the output layer
    ŷ^<t> = softmax(W_y a^[L]<t> + b_y) is included.
    """
    _cell(kind, variant)
    n_layers = _size(n_layers, "n_layers")
    directions = 2 if bidirectional else 1
    layer_parameters, layer_flops, matmul = [], [], 0
    inputs = n_x
    for _ in range(n_layers):
        layer_parameters.append(directions * parameter_count(kind, inputs, n_a, variant, bias_vectors=bias_vectors))
        flops = flops_per_step(kind, inputs, n_a, variant)
        layer_flops.append(directions * flops["total"])
        matmul += directions * flops["matmul"]
        inputs = directions * n_a
    parameters, total = sum(layer_parameters), sum(layer_flops)
    if n_y is not None:
        n_y = _size(n_y, "n_y")
        parameters += n_y * inputs + n_y
        matmul += 2 * n_y * inputs
        total += 2 * n_y * inputs + 4 * n_y
    return StackCost(parameters=parameters, flops_per_step=total, matmul_flops_per_step=matmul,
                     layer_parameters=tuple(layer_parameters), layer_flops=tuple(layer_flops))
