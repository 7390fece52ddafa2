"""The four explorers of the course, computed with :mod:`seqlab.numpy`.

============================  ==================================  ================================
explorer                      controls                            what it shows
============================  ==================================  ================================
:func:`rnn_stepper`           time step t                         x^<t>, a^<t-1>, a^<t>, ŷ^<t>
:func:`gate_explorer`         cell (LSTM, GRU), input sequence    Γ_f, Γ_u, Γ_o / Γ_r, c^<t>
:func:`vanishing_explorer`    ρ(W_aa), distance k                 ‖∂L/∂a^<T_x−k>‖ against k
:func:`temperature_sampler`   temperature τ                       softmax(z / τ), seeded samples
============================  ==================================  ================================

Each returns an :class:`~seqlab.widgets.explorer.Explorer`: in a notebook, display it; on
the website its saved views still follow the controls (see :mod:`seqlab.widgets.explorer`).
"""
from __future__ import annotations

from html import escape
from typing import Callable, Mapping, Sequence

import numpy as np

from ..checks import check_array, check_parameters
from ..gates import record_gates
from ..numpy import gru_forward, lstm_forward, rnn_cell_forward
from ..numpy.gru import GRU_PARAMETER_SHAPES
from ..numpy.lstm import LSTM_PARAMETER_SHAPES
from ..numpy.rnn import OUTPUT_PARAMETER_SHAPES, RNN_ACTIVATIONS, RNN_PARAMETER_SHAPES
from ..numpy.sampling import sample_with_temperature, softmax_with_temperature
from ..vanishing import gradient_norms_by_distance, rnn_with_spectral_radius
from .draw import Series, bar_chart, fmt, line_chart, svg_sym, sym, token_strip, vector_cells
from .explorer import Explorer, Panel, buttons, slider

__all__ = ["rnn_stepper", "gate_explorer", "vanishing_explorer", "temperature_sampler",
           "memory_cell_parameters", "memory_inputs", "MEMORY_CHANNELS", "NEXT_WORD_LOGITS"]


# --------------------------------------------------------------------------- shared checks
def _int(value, name: str, low: int = 0, high: int | None = None) -> int:
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not ok or value < low or (high is not None and value > high):
        span = f"{low} … {high}" if high is not None else f"≥ {low}"
        raise ValueError(f"{name} must be an int in {span}; got {value!r}")
    return int(value)


def _numbers(values, name: str, *, low: float = 0.0) -> tuple[float, ...]:
    """A non-empty sequence of distinct finite numbers ≥ ``low``, as floats."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
        raise ValueError(f"{name} must be a non-empty sequence of numbers; got {values!r}")
    out = []
    for v in values:
        ok = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        if not ok or not np.isfinite(v) or v < low:
            raise ValueError(f"{name} must hold finite numbers ≥ {low:g}; got {v!r}")
        out.append(float(v))
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must not repeat a value; got {values!r}")
    return tuple(out)


def _labels(labels, n: int, name: str, default: Callable[[int], str]) -> list[str]:
    if labels is None:
        return [default(k) for k in range(n)]
    labels = [str(lab) for lab in labels]
    if len(labels) != n:
        raise ValueError(f"{name} must hold {n} labels; got {len(labels)}")
    return labels


def _readout(text: str) -> str:
    return f'<p class="seqlab-readout" style="margin:0.3em 0">{text}</p>'


# --------------------------------------------------------------------------- RNN stepper
def rnn_stepper(parameters: Mapping[str, np.ndarray], x: np.ndarray, *, a0: np.ndarray | None = None,
                example: int = 0, activation: str = "tanh", inputs: Sequence[str] | None = None,
                classes: Sequence[str] | None = None, targets: Sequence[int] | None = None,
                top_k: int = 5, precompute: bool = True) -> Explorer:
    """Step an RNN through time: a slider over t = 1 … T_x shows, for example ``example`` of x,

    a^<t> = g(W_aa a^<t-1> + W_ax x^<t> + b_a) and ŷ^<t> = softmax(W_ya a^<t> + b_y),

    computed step by step with :func:`seqlab.numpy.rnn_cell_forward` from a^<0> (``a0``,
    zeros by default): the input sequence with x^<t> highlighted, a^<t-1> and a^<t> as
    coloured cells, and the ``top_k`` most likely classes of ŷ^<t>.

    Parameters
    ----------
    parameters : ``Wax`` (n_a, n_x), ``Waa`` (n_a, n_a), ``ba`` (n_a, 1), ``Wya`` (n_y, n_a), ``by`` (n_y, 1).
    x : (n_x, m, T_x) inputs; a0 : (n_a, m) initial state.
    inputs : T_x labels of the inputs x^<1> … x^<T_x> (default ``"x1"``, ``"x2"``, …).
    classes : n_y labels of the classes of ŷ^<t> (default ``"0"``, ``"1"``, …).
    targets : T_x class indices y^<t>; the target's probability and L^<t> = −log ŷ^<t>_{y^<t>} are shown.
    """
    if activation not in RNN_ACTIVATIONS:
        raise ValueError(f"activation must be one of {RNN_ACTIVATIONS}; got {activation!r}")
    sizes: dict[str, int] = {}
    dtype = check_parameters(parameters, {**RNN_PARAMETER_SHAPES, **OUTPUT_PARAMETER_SHAPES}, sizes)
    check_array(x, "x", ("n_x", "m", "T_x"), sizes, dtype=dtype)
    if a0 is None:
        a0 = np.zeros((sizes["n_a"], sizes["m"]), dtype=dtype)
    check_array(a0, "a0", ("n_a", "m"), sizes, dtype=dtype)
    i = _int(example, "example", 0, sizes["m"] - 1)
    T_x, n_y = sizes["T_x"], sizes["n_y"]
    inputs = _labels(inputs, T_x, "inputs", lambda k: f"x{k + 1}")
    classes = _labels(classes, n_y, "classes", str)
    if targets is not None:
        targets = [_int(y, "targets[t]", 0, n_y - 1) for y in targets]
        if len(targets) != T_x:
            raise ValueError(f"targets must hold T_x = {T_x} class indices; got {len(targets)}")
    top_k = _int(top_k, "top_k", 1, n_y)

    a_prev, states = a0[:, i:i + 1], []
    for t in range(T_x):
        a_next, y_hat, _ = rnn_cell_forward(x[:, i:i + 1, t], a_prev, parameters, activation)
        states.append((a_prev[:, 0], a_next[:, 0], y_hat[:, 0]))
        a_prev = a_next
    g = "tanh" if activation == "tanh" else "ReLU"
    limit = max(1.0, max(float(np.abs(s[1]).max()) for s in states)) if activation == "relu" else 1.0
    numbers = sizes["n_a"] <= 12

    def render(t: int) -> str:
        a_before, a_now, y_hat = states[t - 1]
        order = np.argsort(-y_hat, kind="stable")[:top_k]
        target = targets[t - 1] if targets is not None else None
        highlight = int(np.where(order == target)[0][0]) if target is not None and target in order else None
        chart = bar_chart([classes[k] for k in order], y_hat[order], highlight=highlight, max_value=1.0,
                          title=f"{svg_sym('ŷ', str(t))}: the {top_k} most likely of n{svg_sym('', sub='y')} = {n_y}")
        parts = [_readout(f"t = {t} of T<sub>x</sub> = {T_x}: x{_sup(t)} = <code>{escape(inputs[t - 1])}</code>"),
                 token_strip(inputs, t),
                 f"<div>{sym('a', f'{t - 1}')} {vector_cells(a_before, limit=limit, show_numbers=numbers)}</div>",
                 f"<div>{sym('a', str(t))} = {g}({sym('W', sub='aa')} {sym('a', f'{t - 1}')} + "
                 f"{sym('W', sub='ax')} {sym('x', str(t))} + {sym('b', sub='a')}) "
                 f"{vector_cells(a_now, limit=limit, show_numbers=numbers)}</div>",
                 chart]
        if target is not None:
            p = float(y_hat[target])
            rank = int((y_hat > y_hat[target]).sum()) + 1
            parts.append(_readout(f"target {sym('y', str(t))} = <code>{escape(classes[target])}</code>: "
                                  f"{sym('ŷ', str(t))} gives it {fmt(p)} (rank {rank} of {n_y}), "
                                  f"L{_sup(t)} = −log {fmt(p)} = {fmt(-np.log(max(p, 1e-300)))}"))
        return "".join(parts)

    explorer = Explorer("Stepping an RNN through time",
                        [slider("t", "time step t", range(1, T_x + 1))], [Panel(render, ("t",))],
                        precompute=precompute,
                        note=f"Each step is one call of <code>seqlab.numpy.rnn_cell_forward</code>: "
                             f"{sym('a', 't')} depends on {sym('x', 't')} and, through "
                             f"{sym('a', 't-1')}, on every earlier input.")
    explorer.data = {"a": np.stack([s[1] for s in states], axis=-1), "y_hat": np.stack([s[2] for s in states], axis=-1)}
    return explorer


def _sup(t) -> str:
    return f"<sup>⟨{t}⟩</sup>"


# --------------------------------------------------------------------------- gate explorer
#: the input channels of :func:`memory_inputs` and :func:`memory_cell_parameters`
MEMORY_CHANNELS = ("value", "write", "read")


def memory_cell_parameters(kind: str = "lstm", dtype=np.float64) -> dict[str, np.ndarray]:
    """A hand-set one-unit memory cell (n_a = 1) reading x^<t> = [v; w; r]: a value v to store,
    a write flag w and a read flag r (the channels of :data:`MEMORY_CHANNELS`).

    LSTM (keys of :func:`seqlab.numpy.lstm_cell_forward`, each W_* acting on [a^<t-1>; x^<t>])::

        c̃^<t> = tanh(2 v)        Γ_u = σ(16 w − 8)        Γ_f = σ(8 − 16 w)        Γ_o = σ(16 r − 8)

    so a write (w = 1) opens the update gate and closes the forget gate: c^<t> ≈ c̃^<t>;
    otherwise c^<t> ≈ c^<t-1> (kept); a^<t> = Γ_o tanh(c^<t>) shows the memory only on a read.

    GRU (``"full"`` variant of :func:`seqlab.numpy.gru_cell_forward`)::

        c̃^<t> = tanh(2 v)        Γ_u = σ(16 w − 8)        Γ_r = σ(8)

    c^<t> = Γ_u c̃^<t> + (1 − Γ_u) c^<t-1>: one gate both writes and keeps; the GRU has no
    output gate (a^<t> = c^<t>) and ignores r.
    """
    dtype = np.dtype(dtype)

    def row(*w):
        return np.array([w], dtype=dtype)

    def bias(b):
        return np.array([[b]], dtype=dtype)

    #               a_prev  v    w     r
    if kind == "lstm":
        return {"Wc": row(0, 2, 0, 0), "bc": bias(0), "Wu": row(0, 0, 16, 0), "bu": bias(-8),
                "Wf": row(0, 0, -16, 0), "bf": bias(8), "Wo": row(0, 0, 0, 16), "bo": bias(-8)}
    if kind == "gru":
        return {"Wc": row(0, 2, 0, 0), "bc": bias(0), "Wu": row(0, 0, 16, 0), "bu": bias(-8),
                "Wr": row(0, 0, 0, 0), "br": bias(8)}
    raise ValueError(f"kind must be 'lstm' or 'gru'; got {kind!r}")


def memory_inputs(T_x: int = 12, seed: int = 0, dtype=np.float64) -> dict[str, np.ndarray]:
    """Input sequences x (3, 1, T_x) for the memory cell: channels v (seeded values in [−1, 1],
    rounded to 0.1), w (write flag), r (read flag). Keys name what the sequence does."""
    T_x = _int(T_x, "T_x", 8)
    v = np.round(np.random.default_rng(seed).uniform(-1, 1, T_x), 1)

    def sequence(writes, reads):
        x = np.zeros((3, 1, T_x), dtype=dtype)
        x[0, 0] = v
        x[1, 0, [t - 1 for t in writes]] = 1
        x[2, 0, [t - 1 for t in reads]] = 1
        return x

    last = T_x
    return {"one write": sequence([2], [last - 2]),
            "two writes": sequence([2, last // 2 + 1], [last // 2, last]),
            "write always": sequence(range(1, T_x + 1), range(1, T_x + 1)),
            "never write": sequence([], [last // 2, last])}


_GATE_LABELS = {"Gamma_f": ("Γ", "f"), "Gamma_u": ("Γ", "u"), "Gamma_o": ("Γ", "o"), "Gamma_r": ("Γ", "r")}


def _steps(indices: np.ndarray, T_x: int) -> str:
    """The 0-based ``indices`` as a phrase about steps 1 … T_x: ``at t = 2, 7``, ``at every step
    but t = 2``, ``at no step`` or ``at every step``."""
    if not len(indices):
        return "at no step"
    if len(indices) == T_x:
        return "at every step"
    if 2 * len(indices) > T_x:
        return "at every step but t = " + ", ".join(str(k + 1) for k in sorted(set(range(T_x)) - set(indices)))
    return "at t = " + ", ".join(str(k + 1) for k in indices)


def _run_cell(kind: str, parameters: Mapping[str, np.ndarray], x: np.ndarray) -> dict[str, np.ndarray]:
    """Gates and states of one example over t: ``{name: (n_a, T_x)}`` (names of :func:`seqlab.gates.record_gates`)."""
    n_a = next(iter(parameters.values())).shape[0]
    zeros = np.zeros((n_a, x.shape[1]), dtype=x.dtype)
    if kind == "lstm":
        _, _, _, caches = lstm_forward(x, zeros, parameters)
    else:
        _, _, caches = gru_forward(x, zeros, parameters, _gru_variant(parameters))
    return {k: v[:, 0, :] for k, v in record_gates(kind, caches).items()}


def _gru_variant(parameters: Mapping[str, np.ndarray]) -> str:
    return "reset_after" if "bca" in parameters else ("full" if "Wr" in parameters else "simplified")


def _check_cell(label: str, spec) -> tuple[str, dict[str, np.ndarray], dict[str, int]]:
    """A cell given as (kind, parameters), checked; returns kind, parameters and the sizes n_a, n_x."""
    if not (isinstance(spec, tuple) and len(spec) == 2):
        raise TypeError(f"cell {label!r} must be a pair (kind, parameters); got {type(spec).__name__}")
    kind, parameters = spec
    if kind not in ("lstm", "gru"):
        raise ValueError(f"cell {label!r}: kind must be 'lstm' or 'gru'; got {kind!r}")
    shapes = LSTM_PARAMETER_SHAPES if kind == "lstm" else GRU_PARAMETER_SHAPES[_gru_variant(parameters)]
    sizes: dict[str, int] = {}
    check_parameters(parameters, shapes, sizes, where=f"parameters of cell {label!r}")
    key = "Wu"
    sizes["n_x"] = parameters[key].shape[1] - parameters[key].shape[0]
    return kind, dict(parameters), sizes


def gate_explorer(cells: Mapping[str, tuple[str, Mapping[str, np.ndarray]]] | None = None,
                  inputs: Mapping[str, np.ndarray] | None = None, *, channels: Sequence[str] | None = None,
                  precompute: bool = True) -> Explorer:
    """The gates of small LSTM and GRU cells over t, for a chosen input sequence.

    For the LSTM: Γ_f, Γ_u, Γ_o and c^<t> = Γ_f ⊙ c^<t-1> + Γ_u ⊙ c̃^<t>, a^<t> = Γ_o ⊙ tanh(c^<t>);
    for the GRU: Γ_u, Γ_r and c^<t> = Γ_u ⊙ c̃^<t> + (1 − Γ_u) ⊙ c^<t-1>; computed by
    :func:`seqlab.numpy.lstm_forward` / :func:`seqlab.numpy.gru_forward` from zero states and
    read by :func:`seqlab.gates.record_gates`.

    Parameters
    ----------
    cells : label → (kind, parameters), kind ``"lstm"`` or ``"gru"`` (the GRU variant follows the
        keys: no ``Wr`` → simplified, ``bca`` → reset-after). Default: the hand-set memory
        cells of :func:`memory_cell_parameters`.
    inputs : label → x (n_x, 1, T_x), one example each. Default: :func:`memory_inputs`.
    channels : n_x names of the input channels, for the input chart.
    """
    cells = dict(cells) if cells is not None else {"LSTM": ("lstm", memory_cell_parameters("lstm")),
                                                   "GRU": ("gru", memory_cell_parameters("gru"))}
    if inputs is None:
        inputs = memory_inputs()
        channels = MEMORY_CHANNELS if channels is None else channels
    inputs = dict(inputs)
    if not cells or not inputs:
        raise ValueError("gate_explorer needs at least one cell and one input sequence")
    checked = {label: _check_cell(label, spec) for label, spec in cells.items()}
    for label, x in inputs.items():
        for cell, (_, params, sizes) in checked.items():
            check_array(x, f"x ({label})", ("n_x", "1", "T_x"), dict(sizes), dtype=params["Wu"].dtype)
    first = next(iter(inputs.values()))
    channels = _labels(channels, first.shape[0], "channels", lambda k: f"x{k + 1}")
    runs = {(c, i): _run_cell(checked[c][0], checked[c][1], inputs[i]) for c in cells for i in inputs}

    def render_input(sequence: str) -> str:
        x = inputs[sequence][:, 0, :]
        t = np.arange(1, x.shape[1] + 1)
        series = [Series(escape(channels[k]), t, x[k], markers=True) for k in range(x.shape[0])]
        return line_chart(series, height=170, x_label="t", title=f"input {svg_sym('x', 't')}: {escape(sequence)}")

    def render_cell(cell: str, sequence: str) -> str:
        kind, run = checked[cell][0], runs[(cell, sequence)]
        T_x = run["c"].shape[1]
        t = np.arange(1, T_x + 1)
        gates = [g for g in ("Gamma_f", "Gamma_u", "Gamma_o", "Gamma_r") if g in run]
        n_a = run["c"].shape[0]
        charts = []
        if n_a == 1:
            charts.append(line_chart([Series(svg_sym(*_GATE_LABELS[g][:1], sub=_GATE_LABELS[g][1]), t, run[g][0],
                                             markers=True) for g in gates],
                                     height=190, x_label="t", y_range=(0, 1), title=f"{escape(cell)}: gates"))
        else:
            for g in gates:
                charts.append(line_chart([Series("", t, run[g][u]) for u in range(min(n_a, 8))], height=150,
                                         x_label="t", y_range=(0, 1),
                                         title=f"{escape(cell)}: {svg_sym('Γ', sub=_GATE_LABELS[g][1])}, "
                                               f"{min(n_a, 8)} of {n_a} units"))
        states = [Series(svg_sym("c", "t") + (f" unit {u + 1}" if n_a > 1 else ""), t, run["c"][u], markers=n_a == 1)
                  for u in range(min(n_a, 4))]
        if kind == "lstm":
            states += [Series(svg_sym("a", "t") + (f" unit {u + 1}" if n_a > 1 else ""), t, run["a"][u],
                              dashed=True, markers=n_a == 1) for u in range(min(n_a, 4))]
        what = "memory cell and hidden state" if kind == "lstm" else "memory cell"
        charts.append(line_chart(states, height=190, x_label="t", y_range=(-1, 1), title=f"{escape(cell)}: {what}"))
        opened = "; ".join(f"{sym('Γ', sub=_GATE_LABELS[g][1])} &gt; 0.5 "
                           + _steps(np.flatnonzero(run[g][0] > 0.5), T_x) for g in gates)
        text = (f"{escape(cell)} on “{escape(sequence)}”: {sym('c', 'T_x')} = {fmt(run['c'][0, -1])}"
                + (f", {sym('a', 'T_x')} = {fmt(run['a'][0, -1])}" if kind == "lstm" else "")
                + (f" (unit 1); {opened}" if n_a > 1 else f"; {opened}"))
        return _readout(text) + "".join(charts)

    cell_control = buttons("cell", "cell", {label: label for label in cells})
    input_control = buttons("sequence", "input", {label: label for label in inputs})
    explorer = Explorer("Inside the gates of an LSTM and a GRU", [cell_control, input_control],
                        [Panel(render_input, ("sequence",)), Panel(render_cell, ("cell", "sequence"))],
                        precompute=precompute,
                        note="Gates are sigmoids, between 0 (closed) and 1 (open). Hover over a point for its value.")
    explorer.data = runs
    return explorer


# --------------------------------------------------------------------------- vanishing gradients
def vanishing_explorer(rhos: Sequence[float] = (0.5, 0.7, 0.9, 1.0, 1.1, 1.3, 1.5),
                       distances: Sequence[int] | None = None, *, T_x: int = 50, n_x: int = 4, n_a: int = 32,
                       m: int = 16, seed: int = 0, activation: str = "tanh", recurrent: str = "orthogonal",
                       input_scale: float = 0.1, precompute: bool = True) -> Explorer:
    """How much of a gradient on a^<T_x> reaches a^<T_x−k>, for a chosen spectral radius ρ(W_aa).

    BPTT multiplies the gradient by one Jacobian per step, ∂L/∂a^<t-1> = W_aaᵀ (g'(z^<t>) ⊙ ∂L/∂a^<t>),
    so k steps back it is about ρ(W_aa)^k times what it was (less where g saturates).
    For each ρ in ``rhos`` an RNN with that spectral radius
    (:func:`seqlab.vanishing.rnn_with_spectral_radius`) runs over the same seeded inputs
    x (n_x, m, T_x) (standard normal), and :func:`seqlab.vanishing.gradient_norms_by_distance`
    carries a unit gradient ‖∂L/∂a^<T_x>‖ = 1 back with :func:`seqlab.numpy.rnn_cell_backward`.
    The chart shows ‖∂L/∂a^<T_x−k>‖ against k (log scale) with ρ^k dashed; the distance
    slider reads off one k (``distances``, default every 5th step). The inputs are scaled by
    ``input_scale`` (small inputs keep tanh near its linear range, so the norm follows ρ^k
    until the states saturate; try 1.0 to see saturation damp both regimes).
    """
    rhos = _numbers(rhos, "rhos")
    T_x = _int(T_x, "T_x", 1)
    if distances is None:
        distances = range(0, T_x + 1, 5)
    distances = tuple(_int(k, "distance k", 0, T_x) for k in distances)
    if not distances or len(set(distances)) != len(distances):
        raise ValueError(f"distances must be distinct ints in 0 … T_x = {T_x}; got {distances!r}")
    x = np.random.default_rng(seed).standard_normal((_int(n_x, "n_x", 1), _int(m, "m", 1), T_x))
    norms = {rho: gradient_norms_by_distance(
        rnn_with_spectral_radius(n_x, _int(n_a, "n_a", 1), rho, seed=seed, recurrent=recurrent,
                                 input_scale=input_scale), x, activation=activation) for rho in rhos}
    k = np.arange(T_x + 1)
    label = f"‖∂L/∂a{_sup('T<sub>x</sub>−k')}‖"

    def render_curve(rho: float) -> str:
        series = [Series("", k, norms[r], muted=True) for r in rhos if r != rho]
        series += [Series(f"ρ(W<tspan baseline-shift='sub' font-size='75%'>aa</tspan>) = {rho:g}", k, norms[rho]),
                   Series(f"ρ<tspan baseline-shift='super' font-size='75%'>k</tspan> = {rho:g}"
                          f"<tspan baseline-shift='super' font-size='75%'>k</tspan>", k,
                          np.power(rho, k, dtype=float), dashed=True, color="#555555")]
        finite = np.concatenate([norms[r] for r in rhos])
        low = max(float(finite[finite > 0].min()) if (finite > 0).any() else 1e-16, 1e-16)
        title = (f"‖∂L/∂a{svg_sym('', 'T_x − k')}‖ with ‖∂L/∂a{svg_sym('', 'T_x')}‖ = 1 "
                 f"({activation}, n{svg_sym('', sub='a')} = {n_a}; grey: the other ρ)")
        return line_chart(series, height=260, x_label="distance k (steps back from Tₓ)", log_y=True,
                          y_label="gradient norm", y_range=(low, max(float(finite.max()), 1.0)), title=title)

    def render_reading(rho: float, distance: int) -> str:
        value, reference = float(norms[rho][distance]), rho ** distance
        if value <= 0:
            change = "nothing is left of it"
        elif value < 0.5:
            change = f"the gradient has shrunk {fmt(1 / value, 2)}-fold (vanishing)"
        elif value > 2:
            change = f"the gradient has grown {fmt(value, 2)}-fold (exploding)"
        else:
            change = "the gradient has kept its size"
        return _readout(f"ρ(W<sub>aa</sub>) = {rho:g}, k = {distance}: {label} = {fmt(value)} "
                        f"(ρ<sup>k</sup> = {fmt(reference)}); {change}")

    explorer = Explorer(
        "Vanishing and exploding gradients",
        [slider("rho", "spectral radius ρ(W<sub>aa</sub>)", rhos, value=min(rhos, key=lambda r: abs(r - 0.9))),
         slider("distance", "distance k", distances, value=distances[len(distances) // 2])],
        [Panel(render_curve, ("rho",)), Panel(render_reading, ("rho", "distance"))],
        precompute=precompute,
        note="tanh saturates (g′ &lt; 1), so the measured norm falls below ρ<sup>k</sup>; "
             "below ρ = 1 it vanishes geometrically.")
    explorer.data = {"norms": norms, "x": x}
    return explorer


# --------------------------------------------------------------------------- temperature
#: logits z of a next word after "the cat sat on the" (a hand-set example for :func:`temperature_sampler`)
NEXT_WORD_LOGITS = {"mat": 3.0, "sofa": 2.3, "floor": 2.0, "roof": 1.2, "bed": 1.0, "table": 0.4,
                    "moon": -0.8, "piano": -1.5}


def _entropy(p: np.ndarray) -> float:
    """H(p) = −Σ p log p in nats (0 log 0 = 0)."""
    q = p[p > 0].astype(np.float64)
    return float(-(q * np.log(q)).sum())


def temperature_sampler(logits: np.ndarray | None = None, classes: Sequence[str] | None = None, *,
                        temperatures: Sequence[float] = (0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3),
                        n_samples: int = 30, seed: int = 0, top_k: int | None = None, context: str = "",
                        sequences: Callable[[float], Sequence[str]] | None = None,
                        precompute: bool = True) -> Explorer:
    """Sampling with temperature τ: p_τ = softmax(z / τ) over the classes, and seeded samples.

    A slider over ``temperatures`` shows p_τ (:func:`seqlab.numpy.softmax_with_temperature`)
    against p_1 (dashed), its entropy H(p_τ) = −Σ p log p in nats, and ``n_samples`` draws by
    :func:`seqlab.numpy.sample_with_temperature`, seeded with ``seed`` at every τ (the same
    random numbers, so the draws change only because p_τ does). τ = 0 is the argmax.

    Parameters
    ----------
    logits : (n_y,) logits z; default: :data:`NEXT_WORD_LOGITS`.
    classes : n_y labels; top_k : show only the k most likely classes in the chart.
    context : text shown before the samples (what the distribution continues).
    sequences : optional function τ ↦ list of strings generated at that τ (e.g. names sampled
        from a character-level RNN), shown under the samples.
    """
    if logits is None:
        classes = list(NEXT_WORD_LOGITS) if classes is None else classes
        logits = np.array(list(NEXT_WORD_LOGITS.values()))
        context = context or "the cat sat on the …"
    check_array(logits, "logits z^<t>", ("n_y",))
    n_y = logits.shape[0]
    classes = _labels(classes, n_y, "classes", str)
    temperatures = _numbers(temperatures, "temperatures")
    n_samples = _int(n_samples, "n_samples", 1)
    top_k = n_y if top_k is None else _int(top_k, "top_k", 1, n_y)
    p1 = softmax_with_temperature(logits, 1.0)
    order = np.argsort(-logits, kind="stable")[:top_k]
    repeated = np.repeat(logits[:, None], n_samples, axis=1)

    def render(tau: float) -> str:
        p = softmax_with_temperature(logits, tau)
        draws = sample_with_temperature(repeated, tau, seed=seed)
        counts = np.bincount(draws, minlength=n_y)
        h = _entropy(p)
        chart = bar_chart([classes[k] for k in order], p[order], reference=p1[order], max_value=1.0,
                          reference_label="p at τ = 1",
                          title=f"p<tspan baseline-shift='sub' font-size='75%'>τ</tspan> = softmax(z / τ)"
                                + (f", top {top_k} of {n_y}" if top_k < n_y else ""))
        most = ", ".join(f"{escape(classes[k])} × {counts[k]}" for k in np.argsort(-counts, kind="stable")[:3]
                         if counts[k])
        parts = [_readout(f"τ = {tau:g}: entropy H(p<sub>τ</sub>) = {fmt(h)} nats "
                          f"(as uncertain as {fmt(np.exp(h), 2)} equally likely choices)"),
                 chart,
                 _readout(f"{n_samples} samples (seed {seed}){': ' + escape(context) if context else ''}"),
                 '<p class="seqlab-samples" style="font-family:monospace;margin:0.2em 0">'
                 + " ".join(escape(classes[k]) for k in draws) + "</p>",
                 _readout(f"most drawn: {most}")]
        if sequences is not None:
            generated = [str(s) for s in sequences(tau)]
            parts.append('<p class="seqlab-sequences" style="font-family:monospace;margin:0.2em 0">'
                         + " · ".join(escape(s) for s in generated) + "</p>")
        return "".join(parts)

    explorer = Explorer("Sampling with temperature",
                        [slider("tau", "temperature τ", temperatures, value=1.0 if 1.0 in temperatures else None)],
                        [Panel(render, ("tau",))], precompute=precompute,
                        note="τ → 0 approaches the argmax (greedy decoding); τ = 1 samples the model's own "
                             "distribution; large τ flattens it toward uniform.")
    explorer.data = {"logits": logits, "p1": p1}
    return explorer
