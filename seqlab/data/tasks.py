"""Synthetic sequence tasks of the classic recurrent-network papers (chapter 10).

Every generator is seeded (``seed``: an int or a :class:`numpy.random.Generator`) and
returns a :class:`SequenceBatch` in the course's column-batch layout:

* ``x``: the inputs x^<t>, ``(n_x, m, T_x)``; sequences shorter than the longest one of
  the batch are padded at the END with zeros, so a causal network's output at an
  example's last real step t = T_x^(i) does not see the padding;
* ``y``: the targets, ``(n_y, m)`` for the tasks that are judged at the sequence end only
  and ``(n_y, m, T_x)`` for the tasks with a target y^<t> at every step;
* ``lengths``: T_x^(i) of every example, ``(m,)`` int64.

The tasks, with the paper that defines them:

* :func:`adding_problem` -- Hochreiter & Schmidhuber (1997), Experiment 4 (Section 5.4);
* :func:`temporal_order` -- Hochreiter & Schmidhuber (1997), Experiment 6, tasks 6a/6b
  (Section 5.6);
* :func:`embedded_reber` and :func:`reber_batch` -- the embedded Reber grammar of
  Hochreiter & Schmidhuber (1997), Experiment 1 (Section 5.1), after Smith & Zipser (1989),
  Cleeremans et al. (1989) and Fahlman (1991);
* :func:`polyphonic_music` -- a synthetic stand-in, generated here, for the polyphonic
  piano-roll corpora of Boulanger-Lewandowski et al. (2012) used by Chung et al. (2014);
  it is NOT real music (see its docstring).

Reference: S. Hochreiter and J. Schmidhuber, "Long short-term memory", Neural
Computation 9(8):1735-1780, 1997, doi:10.1162/neco.1997.9.8.1735.
"""
from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

__all__ = ["SequenceBatch", "adding_problem", "adding_solved", "temporal_order", "temporal_order_solved",
           "TEMPORAL_ORDER_SYMBOLS", "REBER_SYMBOLS", "REBER_GRAPH", "reber_string", "embedded_reber",
           "reber_successors", "reber_batch", "reber_split", "reber_solved", "polyphonic_music",
           "MUSIC_LOWEST_PITCH", "ADDING_TOLERANCE", "TEMPORAL_ORDER_TOLERANCE"]

#: Hochreiter & Schmidhuber (1997), Section 5.4: "A sequence is processed correctly if the
#: absolute error at the sequence end is below 0.04."
ADDING_TOLERANCE = 0.04
#: Section 5.6: "The sequence is classified correctly if the final absolute error of all
#: output units is below 0.3."
TEMPORAL_ORDER_TOLERANCE = 0.3


class SequenceBatch(NamedTuple):
    """A batch of m sequences: inputs ``x`` (n_x, m, T_x), targets ``y``, lengths T_x^(i) (m,)."""

    x: np.ndarray
    y: np.ndarray
    lengths: np.ndarray


# --------------------------------------------------------------------------- helpers
def _rng(seed) -> np.random.Generator:
    """A Generator from an int seed, or the Generator itself."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int or a numpy.random.Generator; got {type(seed).__name__}")


def _check_int(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an int ≥ {minimum}; got {value!r}")
    return int(value)


def _check_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64; got {dtype}")
    return dtype


def _pad_mask(lengths: np.ndarray, t_x: int) -> np.ndarray:
    """(m, T_x) boolean: True on the real steps t < T_x^(i) of each example."""
    return np.arange(t_x)[None, :] < lengths[:, None]


# --------------------------------------------------------------------------- adding problem
def adding_problem(m: int, T: int = 100, seed=0, dtype=np.float64) -> SequenceBatch:
    """The adding problem of Hochreiter & Schmidhuber (1997), Experiment 4 (Section 5.4).

    Each x^<t> is a pair (n_x = 2): a value drawn from U[−1, 1] and a marker in {1, 0, −1}.
    Lengths T_x^(i) are drawn uniformly from T … T + T/10.  Exactly two pairs are marked
    with 1.0: one of the first ten pairs (its value is X1) and one of the first T/2 − 1
    still unmarked pairs (value X2).  The first and the final pair carry the marker −1
    unless marked; when the first pair is marked, its value is set to 0.  The target at the
    sequence end is y = 0.5 + (X1 + X2) / 4, the sum scaled to [0, 1] (n_y = 1); a
    sequence is processed correctly when |ŷ − y| < 0.04 (:data:`ADDING_TOLERANCE`).

    Returns ``x`` (2, m, T_x) with T_x = max T_x^(i), ``y`` (1, m), ``lengths`` (m,).
    """
    m, T = _check_int(m, "m"), _check_int(T, "T (the minimal length)", 12)
    dtype, rng = _check_dtype(dtype), _rng(seed)
    lengths = rng.integers(T, T + T // 10 + 1, size=m)
    t_x = int(lengths.max())
    values = rng.uniform(-1.0, 1.0, size=(m, t_x))
    markers = np.zeros((m, t_x))
    rows = np.arange(m)
    markers[rows, 0] = -1.0
    markers[rows, lengths - 1] = -1.0
    first = rng.integers(0, 10, size=m)                       # one of the first ten pairs
    # one of the first T/2 − 1 pairs other than `first`: draw from T/2 − 2 slots, skip `first`
    second = rng.integers(0, T // 2 - 2, size=m)
    second = second + (second >= first)
    values[(first == 0) | (second == 0), 0] = 0.0              # a marked first pair counts 0
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    values[~_pad_mask(lengths, t_x)] = 0.0
    y = 0.5 + (values[rows, first] + values[rows, second]) / 4.0
    x = np.stack([values, markers]).astype(dtype)              # (2, m, T_x)
    return SequenceBatch(x, y[None, :].astype(dtype), lengths.astype(np.int64))


def adding_solved(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(m,) booleans: |ŷ − y| < 0.04 for every example (the paper's criterion, Section 5.4)."""
    return np.abs(np.asarray(y_hat) - np.asarray(y)).reshape(-1) < ADDING_TOLERANCE


# --------------------------------------------------------------------------- temporal order
#: Input symbols of the temporal-order tasks, in the order of the one-hot rows (n_x = 8).
TEMPORAL_ORDER_SYMBOLS = ("E", "B", "a", "b", "c", "d", "X", "Y")
#: Positions (1-based, inclusive ranges) of the relevant X/Y symbols, task 6a and 6b.
_RELEVANT_POSITIONS = {2: ((10, 20), (50, 60)), 3: ((10, 20), (33, 43), (66, 76))}


def temporal_order(m: int, relevant: int = 2, seed=0, dtype=np.float64) -> SequenceBatch:
    """The temporal-order problem of Hochreiter & Schmidhuber (1997), Experiment 6 (Section 5.6).

    Task 6a (``relevant=2``): a sequence starts with E, ends with the trigger symbol B and
    otherwise holds random symbols from {a, b, c, d}, except at positions t1 ∈ [10, 20]
    and t2 ∈ [50, 60], which hold X or Y.  Lengths T_x^(i) are drawn from 100 … 110.  The
    class is given by the temporal order: (X, X) → Q, (X, Y) → R, (Y, X) → S, (Y, Y) → U.
    Task 6b (``relevant=3``): three positions t1 ∈ [10, 20], t2 ∈ [33, 43], t3 ∈ [66, 76]
    and 8 classes (X, X, X) → Q … (Y, Y, Y) → C.

    Inputs are one-hot over :data:`TEMPORAL_ORDER_SYMBOLS` (n_x = 8); the target at the
    sequence end is the one-hot class (n_y = 4 or 8), class index = the X/Y pattern read
    as a binary number with X = 0, Y = 1.  A sequence is classified correctly when every
    output is within 0.3 of its target (:data:`TEMPORAL_ORDER_TOLERANCE`).

    Returns ``x`` (8, m, T_x), ``y`` (n_y, m), ``lengths`` (m,).
    """
    m = _check_int(m, "m")
    if relevant not in _RELEVANT_POSITIONS:
        raise ValueError(f"relevant must be 2 (task 6a) or 3 (task 6b); got {relevant!r}")
    dtype, rng = _check_dtype(dtype), _rng(seed)
    lengths = rng.integers(100, 111, size=m)
    t_x = int(lengths.max())
    symbols = rng.integers(2, 6, size=(m, t_x))               # a, b, c, d
    rows = np.arange(m)
    symbols[:, 0] = 0                                          # E
    symbols[rows, lengths - 1] = 1                             # B, the trigger
    bits = rng.integers(0, 2, size=(m, relevant))              # X = 0, Y = 1
    for k, (lo, hi) in enumerate(_RELEVANT_POSITIONS[relevant]):
        position = rng.integers(lo, hi + 1, size=m) - 1        # 1-based → 0-based
        symbols[rows, position] = 6 + bits[:, k]
    label = bits @ (2 ** np.arange(relevant - 1, -1, -1))
    x = np.eye(8, dtype=dtype)[symbols].transpose(2, 0, 1)     # (8, m, T_x)
    x = x * _pad_mask(lengths, t_x)[None]
    y = np.eye(2 ** relevant, dtype=dtype)[label].T            # (n_y, m)
    return SequenceBatch(np.ascontiguousarray(x), np.ascontiguousarray(y), lengths.astype(np.int64))


def temporal_order_solved(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(m,) booleans: every output unit within 0.3 of its target (Section 5.6); ``y_hat`` and
    ``y`` are (n_y, m)."""
    return (np.abs(np.asarray(y_hat) - np.asarray(y)) < TEMPORAL_ORDER_TOLERANCE).all(axis=0)


# --------------------------------------------------------------------------- Reber grammar
#: The seven symbols of the (embedded) Reber grammar, in the order of the one-hot rows.
REBER_SYMBOLS = "BTSXPVE"
#: The Reber grammar (Hochreiter & Schmidhuber 1997, Figure 3): state -> ((symbol, next state), ...);
#: a string is B, a walk from state 0 to state 5 choosing each edge with probability 0.5, then E.
REBER_GRAPH: dict[int, tuple[tuple[str, int], ...]] = {
    0: (("T", 1), ("P", 2)),
    1: (("S", 1), ("X", 3)),
    2: (("T", 2), ("V", 4)),
    3: (("X", 2), ("S", 5)),
    4: (("P", 3), ("V", 5)),
    5: (),
}


def reber_string(seed=0) -> str:
    """One string of the Reber grammar (Figure 3): B, a random walk on :data:`REBER_GRAPH`, E."""
    rng, state, out = _rng(seed), 0, ["B"]
    while REBER_GRAPH[state]:
        symbol, state = REBER_GRAPH[state][rng.integers(2)]
        out.append(symbol)
    return "".join(out) + "E"


def embedded_reber(seed=0) -> str:
    """One string of the embedded Reber grammar (Figure 4): B, then T or P (probability 0.5),
    a Reber string, the SAME T or P again, and E.  To predict the symbol before last a
    network must remember the second symbol across the whole embedded string."""
    rng = _rng(seed)
    branch = "TP"[rng.integers(2)]
    return "B" + branch + reber_string(rng) + branch + "E"


def _reber_walk(inner: str) -> list[str]:
    """Legal successors after each symbol of a Reber string ``B…E`` except the last."""
    if len(inner) < 2 or inner[0] != "B" or inner[-1] != "E":
        raise ValueError(f"not a Reber string: {inner!r}")
    successors, state = [], 0
    for symbol in inner[1:-1]:
        successors.append("".join(s for s, _ in REBER_GRAPH[state]))
        edges = dict(REBER_GRAPH[state])
        if symbol not in edges:
            raise ValueError(f"not a Reber string: {inner!r} ({symbol!r} cannot follow in state {state})")
        state = edges[symbol]
    if REBER_GRAPH[state]:
        raise ValueError(f"not a Reber string: {inner!r} ends before the final state")
    return successors + ["E"]


def reber_successors(string: str) -> list[str]:
    """For each symbol of an embedded Reber string but the last, the symbols that may follow.

    ``reber_successors("BTBTXSETE")`` →
    ``["TP", "B", "TP", "SX", "XS", "E", "T", "E"]``: after the first B, T or P; after the
    branch symbol, B; inside the embedded string, the edges of the current state; after the
    inner E, the branch symbol again (the long-range dependency); then E.
    """
    if not isinstance(string, str) or len(string) < 6 or string[:1] != "B" or string[-1:] != "E" \
            or string[1] not in "TP" or string[-2] != string[1]:
        raise ValueError(f"not an embedded Reber string: {string!r}")
    return ["TP", "B"] + _reber_walk(string[2:-2]) + [string[1], "E"]


def reber_batch(strings: Sequence[str], dtype=np.float64) -> SequenceBatch:
    """One-hot inputs and multi-hot targets for a list of embedded Reber strings.

    x^<t> is the one-hot of symbol t (all symbols but the last), y^<t> the multi-hot set of
    symbols that may follow it (:func:`reber_successors`); n_x = n_y = 7
    (:data:`REBER_SYMBOLS`).  Returns ``x`` and ``y`` (7, m, T_x), zero-padded at the end,
    and ``lengths`` (m,) = len(string) − 1.
    """
    if isinstance(strings, str) or len(strings) == 0:
        raise ValueError("strings must be a non-empty list of embedded Reber strings")
    dtype = _check_dtype(dtype)
    index = {s: k for k, s in enumerate(REBER_SYMBOLS)}
    lengths = np.array([len(s) - 1 for s in strings], dtype=np.int64)
    x = np.zeros((7, len(strings), int(lengths.max())), dtype=dtype)
    y = np.zeros_like(x)
    for i, string in enumerate(strings):
        for t, (symbol, nexts) in enumerate(zip(string[:-1], reber_successors(string))):
            x[index[symbol], i, t] = 1.0
            y[[index[s] for s in nexts], i, t] = 1.0
    return SequenceBatch(x, y, lengths)


def reber_split(n_train: int = 256, n_test: int = 256, seed=0) -> tuple[list[str], list[str]]:
    """Training and test strings as in Section 5.1: 256 random training strings, and 256 test
    strings drawn at random but never one that is in the training set."""
    n_train, n_test, rng = _check_int(n_train, "n_train"), _check_int(n_test, "n_test"), _rng(seed)
    train = [embedded_reber(rng) for _ in range(n_train)]
    seen, test = set(train), []
    while len(test) < n_test:
        string = embedded_reber(rng)
        if string not in seen:
            test.append(string)
    return train, test


def reber_solved(y_hat: np.ndarray, batch: SequenceBatch) -> np.ndarray:
    """(m,) booleans: a string is predicted correctly when, at every step, the outputs of the
    k possible next symbols are the k most active ones (Section 5.1).  ``y_hat`` is
    (7, m, T_x)."""
    y_hat, y = np.asarray(y_hat), batch.y
    legal_min = np.where(y > 0, y_hat, np.inf).min(axis=0)     # weakest legal output, (m, T_x)
    illegal_max = np.where(y > 0, -np.inf, y_hat).max(axis=0)  # strongest illegal output
    ok = (legal_min > illegal_max) | ~_pad_mask(batch.lengths, y.shape[2])
    return ok.all(axis=1)


# --------------------------------------------------------------------------- synthetic music
#: MIDI number of the lowest pitch of :func:`polyphonic_music`'s piano roll (C3); 36 pitches.
MUSIC_LOWEST_PITCH = 48
_MAJOR = np.array([0, 2, 4, 5, 7, 9, 11])
#: first-order chain over chord degrees (0 = I, 1 = ii, 3 = IV, 4 = V, 5 = vi)
_CHORD_CHAIN = {0: (3, 4, 5, 1), 1: (4, 4, 3), 3: (4, 0, 1), 4: (0, 0, 5), 5: (3, 1, 4)}


def _phrase_chords(rng: np.random.Generator, start: int, bars: int) -> list[int]:
    chords = [start]
    while len(chords) < bars - 1:
        options = _CHORD_CHAIN[chords[-1]]
        chords.append(options[rng.integers(len(options))])
    return chords + [4] if bars > 1 else chords               # phrases end on V (half cadence)


def _melody(rng: np.random.Generator, chords: list[int], steps_per_bar: int) -> list[int | None]:
    """Scale degrees (absolute, 7 per octave; None = rest): a chord tone on each downbeat,
    stepwise motion, repeats or rests in between."""
    notes: list[int | None] = []
    current = 7 + 2 * rng.integers(3)                         # start on a tone of the tonic chord
    for chord in chords:
        for step in range(steps_per_bar):
            if step == 0:
                tones = [7 + chord + d for d in (0, 2, 4)]
                tones = [t if t < 14 else t - 7 for t in tones]
                current = min(tones, key=lambda t: (abs(t - current), t))
                notes.append(current)
                continue
            r = rng.random()
            if r < 0.1:
                notes.append(None)
                continue
            if r < 0.7:
                current = int(np.clip(current + (1 if rng.random() < 0.5 else -1), 7, 13))
            notes.append(current)
    return notes


def polyphonic_music(n_songs: int, bars: int = 16, steps_per_bar: int = 4, seed=0,
                     dtype=np.float64) -> SequenceBatch:
    """A synthetic polyphonic corpus in piano-roll form, for next-step prediction.

    A SUBSTITUTE for the corpora of Boulanger-Lewandowski et al. (2012) used by Chung et al.
    (2014), which do not ship with any dependency: every "song" is generated by a few rules.
    A song is in a random major key (one of 12 tonics) and has the form A A B A of 4-bar
    phrases (``bars`` must be a multiple of 4).  Each bar holds one chord (I, ii, IV, V or
    vi) drawn from a first-order chain, phrases end on V; the bass plays the chord's root
    for the whole bar, the three chord tones sound on the even steps of the bar, and a
    melody moves stepwise from a chord tone on each downbeat (with repeats and rests).
    Phrase A is generated once and repeated exactly, so a network that remembers it and the
    key predicts the later phrases better: structure at several time scales, as in music.

    The roll covers 36 pitches from C3 (MIDI 48, :data:`MUSIC_LOWEST_PITCH`) to B5; the
    input is x^<t> = roll step t and the target y^<t> = roll step t + 1 (n_x = n_y = 36,
    T_x = bars · steps_per_bar − 1).  Returns ``x``, ``y`` (36, m, T_x) with m = n_songs,
    and ``lengths``.
    """
    n_songs, bars = _check_int(n_songs, "n_songs"), _check_int(bars, "bars", 4)
    steps_per_bar = _check_int(steps_per_bar, "steps_per_bar", 2)
    if bars % 4:
        raise ValueError(f"bars must be a multiple of 4 (form A A B A of 4-bar phrases); got {bars}")
    dtype, rng = _check_dtype(dtype), _rng(seed)
    roll = np.zeros((36, n_songs, bars * steps_per_bar), dtype=dtype)
    for i in range(n_songs):
        _render_song(roll[:, i, :], rng, bars // 4, steps_per_bar)
    lengths = np.full(n_songs, roll.shape[2] - 1, dtype=np.int64)
    return SequenceBatch(np.ascontiguousarray(roll[:, :, :-1]), np.ascontiguousarray(roll[:, :, 1:]), lengths)


def _render_song(roll: np.ndarray, rng: np.random.Generator, phrase_bars: int, steps_per_bar: int) -> None:
    """Write one song into ``roll`` (36, T) in place.  Each voice has its own octave of the
    roll: bass rows 0–11, chord tones 12–23, melody 24–35 (pitch classes of the key)."""
    tonic = int(rng.integers(12))

    def row(degree: int, register: int) -> int:
        return 12 * register + (tonic + _MAJOR[degree % 7]) % 12

    a_chords = _phrase_chords(rng, 0, phrase_bars)
    b_chords = _phrase_chords(rng, (3, 5)[rng.integers(2)], phrase_bars)
    a_melody = _melody(rng, a_chords, steps_per_bar)
    phrases = [(a_chords, a_melody), (a_chords, a_melody),
               (b_chords, _melody(rng, b_chords, steps_per_bar)), (a_chords, a_melody)]
    t = 0
    for chords, melody in phrases:
        for bar, chord in enumerate(chords):
            for step in range(steps_per_bar):
                rows = [row(chord, 0)]                         # bass: the root
                if step % 2 == 0:
                    rows += [row(chord + d, 1) for d in (0, 2, 4)]  # the chord tones
                note = melody[bar * steps_per_bar + step]
                if note is not None:
                    rows.append(row(note, 2))                  # the melody
                roll[rows, t] = 1.0
                t += 1
