"""Every symbol of the course, once.

The book, the docstrings and the error messages all speak this notation.  Each
:class:`Symbol` carries

* ``text``  -- how the symbol is written in plain text and error messages (``x^<t>``),
* ``latex`` -- how the book typesets it (``x^{\\langle t \\rangle}``),
* ``shape`` -- its shape in terms of the dimension names ``n_x, n_a, n_y, m, T_x, T_y``
  (``()`` for a scalar), in the column-batch layout of :mod:`seqlab.numpy`,
* ``meaning`` and the chapter where it first appears,
* ``key``   -- the name it has in a parameter or gradient dictionary, where it has one.

The notation page of the book is generated from :data:`SYMBOLS`
(:func:`notation_table`), and :func:`seqlab.checks.check_array` reports wrong shapes
with it, e.g. ``x^<t> must be (n_x, m) = (3, 10); got (10, 3)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Dimension names and their meaning.  Shapes below are tuples of these names, or of
#: simple expressions of them such as ``"n_a + n_x"`` or ``"4 n_a"``.
DIMENSIONS: dict[str, str] = {
    "n_x": "size of one input vector x^<t> (the vocabulary size for one-hot inputs)",
    "n_a": "size of the hidden state a^<t> (and of the memory cell c^<t>)",
    "n_y": "size of one output vector y^<t> (number of classes)",
    "m": "number of examples in a mini-batch",
    "T_x": "length of the input sequence",
    "T_y": "length of the output sequence",
}


@dataclass(frozen=True)
class Symbol:
    """One symbol of the course's notation."""

    name: str          #: identifier used in this module (``"x_t"``)
    text: str          #: plain-text form used in messages (``"x^<t>"``)
    latex: str         #: LaTeX form used in the book
    shape: tuple[str, ...]  #: shape in dimension names; ``()`` for scalars
    meaning: str
    chapter: int       #: chapter where the symbol first appears (0 = notation page)
    key: str | None = None  #: parameter/gradient dictionary key, if any
    aliases: tuple[str, ...] = field(default=())  #: other LaTeX spellings met in the book

    def shape_text(self) -> str:
        """The shape as written in messages: ``(n_x, m)``."""
        return "(" + ", ".join(self.shape) + ")" if self.shape else "scalar"


def _s(name, text, latex, shape, meaning, chapter, key=None, aliases=()):
    return Symbol(name, text, latex, tuple(shape), meaning, chapter, key, tuple(aliases))


_T = r"\langle t \rangle"
_TM1 = r"\langle t-1 \rangle"

_SYMBOL_LIST: list[Symbol] = [
    # --- sizes -------------------------------------------------------------------
    _s("n_x", "n_x", "n_x", (), DIMENSIONS["n_x"], 1),
    _s("n_a", "n_a", "n_a", (), DIMENSIONS["n_a"], 3),
    _s("n_y", "n_y", "n_y", (), DIMENSIONS["n_y"], 1),
    _s("m", "m", "m", (), DIMENSIONS["m"], 1),
    _s("T_x", "T_x", "T_x", (), "length of the input sequence", 1),
    _s("T_y", "T_y", "T_y", (), "length of the output sequence", 1),
    _s("T_x_i", "T_x^(i)", r"T_x^{(i)}", (), "length of the input sequence of example i", 1),
    _s("T_y_i", "T_y^(i)", r"T_y^{(i)}", (), "length of the output sequence of example i", 1),
    # --- data ----------------------------------------------------------------------
    _s("x_t", "x^<t>", rf"x^{{{_T}}}", ("n_x", "m"), "input at time step t", 1),
    _s("x", "x", "x", ("n_x", "m", "T_x"), "a whole input sequence (all time steps)", 1),
    _s("x_i_t", "x^(i)<t>", rf"x^{{(i){_T}}}", ("n_x",),
       "input at time step t of training example i", 1),
    _s("y_t", "y^<t>", rf"y^{{{_T}}}", ("n_y", "m"), "target at time step t", 1),
    _s("y", "y", "y", ("n_y", "m", "T_y"), "a whole target sequence", 1),
    _s("y_hat_t", "ŷ^<t>", rf"\hat{{y}}^{{{_T}}}", ("n_y", "m"),
       "prediction at time step t", 3, aliases=(rf"\hat y^{{{_T}}}",)),
    _s("y_hat", "ŷ", r"\hat{y}", ("n_y", "m", "T_y"), "predictions at every time step", 3),
    _s("vocab", "V", r"\mathcal{V}", (), "the vocabulary, including <UNK>", 1),
    # --- the RNN cell ----------------------------------------------------------------
    _s("a_t", "a^<t>", rf"a^{{{_T}}}", ("n_a", "m"), "hidden state (activation) at step t", 3),
    _s("a_prev", "a^<t-1>", rf"a^{{{_TM1}}}", ("n_a", "m"), "hidden state of the previous step", 3),
    _s("a0", "a^<0>", r"a^{\langle 0 \rangle}", ("n_a", "m"), "initial hidden state", 3),
    _s("a", "a", "a", ("n_a", "m", "T_x"), "hidden states of every time step", 3),
    _s("Wax", "W_ax", "W_{ax}", ("n_a", "n_x"), "input-to-hidden weights", 3, key="Wax"),
    _s("Waa", "W_aa", "W_{aa}", ("n_a", "n_a"), "hidden-to-hidden (recurrent) weights", 3, key="Waa"),
    _s("Wya", "W_ya", "W_{ya}", ("n_y", "n_a"), "hidden-to-output weights", 3, key="Wya"),
    _s("ba", "b_a", "b_a", ("n_a", "1"), "hidden bias", 3, key="ba"),
    _s("by", "b_y", "b_y", ("n_y", "1"), "output bias", 3, key="by"),
    _s("Wa", "W_a", "W_a", ("n_a", "n_a + n_x"), "stacked weights [W_aa, W_ax]", 3, key="Wa"),
    _s("g", "g", "g", (), "activation of the hidden state (tanh or ReLU)", 3),
    _s("g2", "g_2", "g_2", (), "activation of the output (softmax or sigmoid)", 3),
    _s("sigma", "σ", r"\sigma", (), "the logistic sigmoid 1 / (1 + e^{-z})", 3),
    # --- loss and training ---------------------------------------------------------
    _s("L_t", "L^<t>", rf"\mathcal{{L}}^{{{_T}}}", (), "loss at time step t (cross-entropy)", 4,
       aliases=(rf"L^{{{_T}}}",)),
    _s("L", "L", r"\mathcal{L}", (), "loss of the whole sequence, the sum over t of L^<t>", 4),
    _s("z_t", "z^<t>", rf"z^{{{_T}}}", ("n_a", "m"),
       "pre-activation W_aa a^<t-1> + W_ax x^<t> + b_a", 4),
    _s("z_y_t", "z_y^<t>", rf"z_y^{{{_T}}}", ("n_y", "m"), "output logits W_ya a^<t> + b_y", 4),
    _s("epsilon", "ε", r"\varepsilon", (), "step of a finite difference", 4),
    _s("alpha", "α", r"\alpha", (), "learning rate", 4),
    _s("tau", "τ", r"\tau", (), "sampling temperature", 6),
    _s("PP", "PP", r"\mathrm{PP}", (), "perplexity, exp of the mean per-token loss", 6),
    _s("a_t_minus_k", "a^<t-k>", r"a^{\langle t-k \rangle}", ("n_a", "m"),
       "hidden state k steps before step t", 7),
    _s("k", "k", "k", (), "a distance back in time steps; also the truncation length of truncated BPTT", 7),
    _s("d", "d", "d", (), "number of filler words between the noun and its verb", 7),
    _s("Q", "Q", "Q", ("n_a", "n_a"), "an orthogonal matrix (orthogonal initialization of W_aa)", 7),
    _s("I", "I", "I", ("n_a", "n_a"), "the identity matrix (identity initialization, IRNN)", 7),
    _s("NRMSE", "NRMSE", r"\mathrm{NRMSE}", (), "normalized root-mean-square error of a forecast", 7),
    _s("rho", "ρ(W_aa)", r"\rho(W_{aa})", (), "spectral radius of W_aa", 7),
    # --- GRU -------------------------------------------------------------------------
    _s("c_t", "c^<t>", rf"c^{{{_T}}}", ("n_a", "m"), "memory cell at step t (GRU: c^<t> = a^<t>)", 8),
    _s("c_prev", "c^<t-1>", rf"c^{{{_TM1}}}", ("n_a", "m"), "memory cell of the previous step", 8),
    _s("c0", "c^<0>", r"c^{\langle 0 \rangle}", ("n_a", "m"), "initial memory cell", 8),
    _s("c", "c", "c", ("n_a", "m", "T_x"), "memory cells of every time step", 8),
    _s("c_tilde", "c̃^<t>", rf"\tilde{{c}}^{{{_T}}}", ("n_a", "m"), "candidate memory cell", 8),
    _s("Gamma_u", "Γ_u", r"\Gamma_u", ("n_a", "m"), "update gate", 8),
    _s("Gamma_r", "Γ_r", r"\Gamma_r", ("n_a", "m"), "relevance (reset) gate", 8),
    _s("Wc", "W_c", "W_c", ("n_a", "n_a + n_x"), "candidate weights, acting on [c^<t-1>; x^<t>]", 8, key="Wc"),
    _s("bc", "b_c", "b_c", ("n_a", "1"), "candidate bias", 8, key="bc"),
    _s("bca", "b_ca", "b_{ca}", ("n_a", "1"),
       "recurrent candidate bias inside Γ_r ⊙ (…) (reset-after GRU only)", 8, key="bca"),
    _s("Wu", "W_u", "W_u", ("n_a", "n_a + n_x"), "update-gate weights", 8, key="Wu"),
    _s("bu", "b_u", "b_u", ("n_a", "1"), "update-gate bias", 8, key="bu"),
    _s("Wr", "W_r", "W_r", ("n_a", "n_a + n_x"), "relevance-gate weights", 8, key="Wr"),
    _s("br", "b_r", "b_r", ("n_a", "1"), "relevance-gate bias", 8, key="br"),
    _s("Wy", "W_y", "W_y", ("n_y", "n_a"), "output weights of a gated cell", 8, key="Wy"),
    # --- LSTM --------------------------------------------------------------------------
    _s("Gamma_f", "Γ_f", r"\Gamma_f", ("n_a", "m"), "forget gate", 9),
    _s("Gamma_o", "Γ_o", r"\Gamma_o", ("n_a", "m"), "output gate", 9),
    _s("Wf", "W_f", "W_f", ("n_a", "n_a + n_x"), "forget-gate weights", 9, key="Wf"),
    _s("bf", "b_f", "b_f", ("n_a", "1"), "forget-gate bias", 9, key="bf"),
    _s("Wo", "W_o", "W_o", ("n_a", "n_a + n_x"), "output-gate weights", 9, key="Wo"),
    _s("bo", "b_o", "b_o", ("n_a", "1"), "output-gate bias", 9, key="bo"),
    # --- peephole LSTM, vectorized form of Greff et al. ----------------------------------
    _s("W", "W", "W", ("4 n_a", "n_x"), "peephole LSTM input weights, rows [c̃; Γ_u; Γ_f; Γ_o]", 9, key="W"),
    _s("R", "R", "R", ("4 n_a", "n_a"), "peephole LSTM recurrent weights, rows [c̃; Γ_u; Γ_f; Γ_o]", 9, key="R"),
    _s("P", "P", "P", ("3 n_a", "1"), "peephole weights, rows [Γ_u; Γ_f; Γ_o]", 9, key="P"),
    _s("b", "b", "b", ("4 n_a", "1"), "peephole LSTM biases, rows [c̃; Γ_u; Γ_f; Γ_o]", 9, key="b"),
    # --- bidirectional and deep ---------------------------------------------------------
    _s("a_fwd", "a→^<t>", rf"\overrightarrow{{a}}^{{{_T}}}", ("n_a", "m"),
       "hidden state of the forward direction", 11),
    _s("a_bwd", "a←^<t>", rf"\overleftarrow{{a}}^{{{_T}}}", ("n_a", "m"),
       "hidden state of the backward direction", 11),
    _s("a_l_t", "a^[l]<t>", rf"a^{{[l]{_T}}}", ("n_a", "m"), "hidden state of layer l at step t", 12,
       aliases=(rf"a^{{[l-1]{_T}}}",)),
    _s("l", "l", "l", (), "layer index in a deep RNN", 12),
]

#: All symbols by name.
SYMBOLS: dict[str, Symbol] = {s.name: s for s in _SYMBOL_LIST}
#: Symbols by their parameter-dictionary key (``"Wax"`` -> W_ax).
BY_KEY: dict[str, Symbol] = {s.key: s for s in _SYMBOL_LIST if s.key}

if len(SYMBOLS) != len(_SYMBOL_LIST):  # pragma: no cover - guards the table above
    raise RuntimeError("duplicate symbol name in seqlab.notation")


def symbol(name: str) -> Symbol:
    """Look a symbol up by name, by parameter key or by its plain-text form."""
    if name in SYMBOLS:
        return SYMBOLS[name]
    if name in BY_KEY:
        return BY_KEY[name]
    for s in _SYMBOL_LIST:
        if s.text == name:
            return s
    raise KeyError(f"{name!r} is not a symbol of the course's notation")


def text_of(name: str) -> str:
    """Plain-text form of a symbol (``"Wax"`` -> ``"W_ax"``); unknown names are returned as given."""
    try:
        return symbol(name).text
    except KeyError:
        return name


def notation_table(max_chapter: int | None = None) -> list[dict[str, str]]:
    """Rows for the notation page: symbol (LaTeX), shape, meaning, first chapter."""
    rows = []
    for s in _SYMBOL_LIST:
        if max_chapter is not None and s.chapter > max_chapter:
            continue
        rows.append({
            "symbol": s.text,
            "latex": s.latex,
            "shape": s.shape_text() if s.shape else "scalar",
            "meaning": s.meaning,
            "chapter": str(s.chapter),
            "key": s.key or "",
        })
    return rows


def notation_markdown() -> str:
    """The notation page as a MyST Markdown table (used to generate ``book/notation.md``)."""
    lines = [
        "| Symbol | Plain text | Shape | Meaning | First in chapter | Code key |",
        "|---|---|---|---|---|---|",
    ]
    for s in _SYMBOL_LIST:
        shape = "$" + s.shape_text().replace("n_a + n_x", "n_a + n_x") + "$" if s.shape else "scalar"
        key = f"`{s.key}`" if s.key else ""
        text = s.text.replace("|", r"\|")
        lines.append(f"| ${s.latex}$ | `{text}` | {shape} | {s.meaning} | {s.chapter} | {key} |")
    return "\n".join(lines) + "\n"
