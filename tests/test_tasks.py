"""seqlab.data.tasks: the synthetic tasks of Hochreiter & Schmidhuber (1997) and the
synthetic polyphonic corpus follow their definitions, are seeded, and check their inputs."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlab.data import tasks
from seqlab.data.tasks import (REBER_SYMBOLS, TEMPORAL_ORDER_SYMBOLS, adding_problem, adding_solved,
                               embedded_reber, polyphonic_music, reber_batch, reber_solved, reber_split,
                               reber_string, reber_successors, temporal_order, temporal_order_solved)


# --------------------------------------------------------------------------- adding problem
@pytest.mark.parametrize("T", [12, 100, 151])
def test_adding_problem_follows_section_5_4(T):
    m = 400
    x, y, lengths = adding_problem(m, T, seed=3)
    assert x.shape == (2, m, lengths.max()) and y.shape == (1, m) and lengths.shape == (m,)
    assert lengths.min() >= T and lengths.max() <= T + T // 10
    values, markers = x
    for i in range(m):
        L = lengths[i]
        marked = np.flatnonzero(markers[i] == 1.0)
        assert len(marked) == 2
        # one of the first ten pairs, and one of the first T/2 − 1 pairs
        assert any(p < 10 and q < T // 2 - 1 for p, q in (marked, marked[::-1]))
        assert np.all(np.abs(values[i, :L]) <= 1.0)
        if 0 in marked:
            assert values[i, 0] == 0.0                              # a marked first pair counts 0
        else:
            assert markers[i, 0] == -1.0
        assert markers[i, L - 1] == -1.0
        assert set(np.unique(markers[i, :L])) <= {-1.0, 0.0, 1.0}
        assert np.count_nonzero(markers[i, :L] == -1.0) == (1 if 0 in marked else 2)
        assert np.all(x[:, i, L:] == 0.0)                           # padding at the end
        assert y[0, i] == pytest.approx(0.5 + values[i, marked].sum() / 4.0)
    assert 0.0 <= y.min() and y.max() <= 1.0


def test_adding_problem_positions_cover_their_ranges():
    x, _, lengths = adding_problem(3000, 100, seed=0)
    marked = [np.flatnonzero(x[1, i] == 1.0) for i in range(3000)]
    firsts = {int(p[0]) for p in marked}
    assert firsts == set(range(10)) and {int(p[1]) for p in marked} >= set(range(10, 48))
    assert max(int(p[1]) for p in marked) == 48                    # the T/2 − 1 = 49th pair (0-based 48)
    assert set(np.unique(lengths)) == set(range(100, 111))


def test_adding_problem_is_seeded_and_keeps_dtype():
    a, b = adding_problem(8, 20, seed=5), adding_problem(8, 20, seed=5)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not np.array_equal(a.x, adding_problem(8, 20, seed=6).x)
    rng1, rng2 = np.random.default_rng(1), np.random.default_rng(1)
    assert np.array_equal(adding_problem(4, 20, seed=rng1).x, adding_problem(4, 20, seed=rng2).x)
    assert not np.array_equal(adding_problem(4, 20, seed=rng1).x, adding_problem(4, 20, seed=np.random.default_rng(1)).x)
    small = adding_problem(4, 20, seed=0, dtype=np.float32)
    assert small.x.dtype == np.float32 and small.y.dtype == np.float32 and small.lengths.dtype == np.int64


def test_adding_solved_uses_the_004_threshold():
    y = np.array([[0.5, 0.5, 0.5, 0.5]])
    y_hat = np.array([[0.5, 0.539, 0.461, 0.541]])
    assert adding_solved(y_hat, y).tolist() == [True, True, True, False]


@pytest.mark.parametrize("kwargs, error", [
    ({"m": 0}, ValueError), ({"m": 3, "T": 11}, ValueError), ({"m": 2.5}, ValueError),
    ({"m": True}, ValueError), ({"m": 3, "seed": "x"}, TypeError), ({"m": 3, "dtype": np.int32}, TypeError),
])
def test_adding_problem_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        adding_problem(**kwargs)


# --------------------------------------------------------------------------- temporal order
@pytest.mark.parametrize("relevant, ranges", [(2, [(10, 20), (50, 60)]), (3, [(10, 20), (33, 43), (66, 76)])])
def test_temporal_order_follows_section_5_6(relevant, ranges):
    m = 300
    x, y, lengths = temporal_order(m, relevant, seed=11)
    assert x.shape == (8, m, lengths.max()) and y.shape == (2 ** relevant, m)
    assert lengths.min() >= 100 and lengths.max() <= 110
    assert np.all(y.sum(axis=0) == 1) and set(np.unique(y)) == {0.0, 1.0}
    for i in range(m):
        L = lengths[i]
        assert np.all(x[:, i, :L].sum(axis=0) == 1) and np.all(x[:, i, L:] == 0)
        word = "".join(TEMPORAL_ORDER_SYMBOLS[k] for k in x[:, i, :L].argmax(axis=0))
        assert word[0] == "E" and word[-1] == "B"
        assert set(word[1:-1]) <= set("abcdXY")
        relevant_positions = [t + 1 for t, s in enumerate(word) if s in "XY"]  # 1-based as in the paper
        assert len(relevant_positions) == relevant
        assert all(lo <= p <= hi for p, (lo, hi) in zip(relevant_positions, ranges))
        pattern = "".join(word[p - 1] for p in relevant_positions)
        assert int(y[:, i].argmax()) == int(pattern.replace("X", "0").replace("Y", "1"), 2)
    assert set(y.argmax(axis=0)) == set(range(2 ** relevant))


def test_temporal_order_rules_of_task_6a():
    # X, X -> Q; X, Y -> R; Y, X -> S; Y, Y -> U: classes 0, 1, 2, 3
    x, y, lengths = temporal_order(200, seed=0)
    for i in range(200):
        word = "".join(TEMPORAL_ORDER_SYMBOLS[k] for k in x[:, i, :lengths[i]].argmax(axis=0))
        pair = tuple(s for s in word if s in "XY")
        assert "QRSU"[int(y[:, i].argmax())] == {("X", "X"): "Q", ("X", "Y"): "R", ("Y", "X"): "S",
                                                  ("Y", "Y"): "U"}[pair]


def test_temporal_order_solved_needs_every_output_within_03():
    y = np.eye(4)[:, [0, 1]]                                 # (4, 2): classes 0 and 1
    good = np.array([[0.75, 0.1], [0.1, 0.71], [0.1, 0.1], [0.05, 0.09]])
    assert temporal_order_solved(good, y).tolist() == [True, True]
    bad = good.copy()
    bad[0, 0], bad[3, 1] = 0.69, 0.31
    assert temporal_order_solved(bad, y).tolist() == [False, False]


def test_temporal_order_is_seeded_and_checks_arguments():
    assert np.array_equal(temporal_order(5, seed=2).x, temporal_order(5, seed=2).x)
    assert temporal_order(3, seed=0, dtype=np.float32).x.dtype == np.float32
    with pytest.raises(ValueError, match="relevant"):
        temporal_order(3, relevant=4)
    with pytest.raises(ValueError, match="m must be"):
        temporal_order(0)


# --------------------------------------------------------------------------- Reber grammar
def _parse_reber(inner: str) -> bool:
    state = 0
    for s in inner[1:-1]:
        edges = dict(tasks.REBER_GRAPH[state])
        if s not in edges:
            return False
        state = edges[s]
    return inner[0] == "B" and inner[-1] == "E" and state == 5


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_embedded_reber_strings_are_in_the_grammar(seed):
    string = embedded_reber(seed)
    assert string[0] == "B" and string[-1] == "E" and string[1] in "TP" and string[-2] == string[1]
    assert _parse_reber(string[2:-2]) and _parse_reber(reber_string(seed))
    successors = reber_successors(string)
    assert len(successors) == len(string) - 1
    for t, nexts in enumerate(successors):
        assert string[t + 1] in nexts                     # the symbol that came is always legal
        assert set(nexts) <= set(REBER_SYMBOLS)


def test_reber_successors_of_a_known_string():
    assert reber_successors("BTBTXSETE") == ["TP", "B", "TP", "SX", "XS", "E", "T", "E"]
    assert reber_successors("BPBPVVEPE") == ["TP", "B", "TP", "TV", "PV", "E", "P", "E"]


@pytest.mark.parametrize("bad", ["BTBTXSEPE", "BTBTXXETE", "TBTXSETE", "BTBTXSET", "BTBTSE TE", "", 3])
def test_reber_successors_rejects_strings_outside_the_grammar(bad):
    with pytest.raises(ValueError, match="Reber"):
        reber_successors(bad)


def test_reber_batch_encodes_inputs_and_legal_successors():
    strings = ["BTBTXSETE", "BPBPVPXVVEPE"]
    x, y, lengths = reber_batch(strings)
    assert x.shape == y.shape == (7, 2, 11) and lengths.tolist() == [8, 11]
    for i, s in enumerate(strings):
        assert "".join(REBER_SYMBOLS[k] for k in x[:, i, :lengths[i]].argmax(axis=0)) == s[:-1]
        for t, nexts in enumerate(reber_successors(s)):
            assert {REBER_SYMBOLS[k] for k in np.flatnonzero(y[:, i, t])} == set(nexts)
    assert np.all(x[:, 0, 8:] == 0) and np.all(y[:, 0, 8:] == 0)
    with pytest.raises(ValueError):
        reber_batch([])


def test_reber_split_keeps_test_strings_out_of_the_training_set():
    train, test = reber_split(256, 256, seed=4)
    assert len(train) == len(test) == 256 and not set(train) & set(test)
    assert reber_split(256, 256, seed=4) == (train, test)
    assert {s[1] for s in train} == {"T", "P"}


def test_reber_solved_needs_the_legal_symbols_on_top_at_every_step():
    batch = reber_batch(["BTBTXSETE", "BPBPVVEPE"])
    y_hat = 0.2 + 0.6 * batch.y + 0.01 * np.random.default_rng(0).random(batch.y.shape)
    assert reber_solved(y_hat, batch).tolist() == [True, True]
    y_hat_bad = y_hat.copy()
    y_hat_bad[REBER_SYMBOLS.index("P"), 0, 6] = 0.95          # after the inner E it must predict T, not P
    assert reber_solved(y_hat_bad, batch).tolist() == [False, True]
    tied = y_hat.copy()
    tied[:, 1, 0] = 0.5                                       # a tie is not a correct prediction
    assert reber_solved(tied, batch).tolist() == [True, False]
    y_hat_pad = y_hat.copy()
    y_hat_pad[:, 0, 8:] = np.random.default_rng(1).random((7, y_hat.shape[2] - 8))
    assert reber_solved(y_hat_pad, batch).tolist() == [True, True]   # padded steps are ignored


# --------------------------------------------------------------------------- synthetic music
def test_polyphonic_music_shapes_and_next_step_targets():
    x, y, lengths = polyphonic_music(6, bars=8, steps_per_bar=4, seed=0)
    assert x.shape == y.shape == (36, 6, 31) and lengths.tolist() == [31] * 6
    assert set(np.unique(x)) <= {0.0, 1.0}
    assert np.array_equal(x[:, :, 1:], y[:, :, :-1])
    assert np.all(x[:12].sum(axis=0) == 1)                     # one bass note at every step


def test_polyphonic_music_has_the_aaba_form_and_stays_in_key():
    x, y, _ = polyphonic_music(20, bars=16, steps_per_bar=4, seed=1)
    roll = np.concatenate([x, y[:, :, -1:]], axis=2)           # (36, m, 64)
    a1, a2, b, a3 = (roll[:, :, k * 16:(k + 1) * 16] for k in range(4))
    assert np.array_equal(a1, a2) and np.array_equal(a1, a3)
    assert not np.array_equal(a1, b)
    major = {0, 2, 4, 5, 7, 9, 11}
    for i in range(20):
        classes = set(np.flatnonzero(roll[:, i].any(axis=1)) % 12)
        assert any(classes <= {(tonic + d) % 12 for d in major} for tonic in range(12))
    assert np.all(roll[12:24, :, 0::2].sum(axis=0) == 3)       # a triad on the even steps
    assert np.all(roll[12:24, :, 1::2].sum(axis=0) == 0)


def test_polyphonic_music_is_seeded_and_checks_arguments():
    assert np.array_equal(polyphonic_music(3, seed=7).x, polyphonic_music(3, seed=7).x)
    assert not np.array_equal(polyphonic_music(3, seed=7).x, polyphonic_music(3, seed=8).x)
    assert polyphonic_music(2, bars=4, seed=0, dtype=np.float32).x.dtype == np.float32
    with pytest.raises(ValueError, match="multiple of 4"):
        polyphonic_music(2, bars=6)
    with pytest.raises(ValueError, match="n_songs"):
        polyphonic_music(0)
