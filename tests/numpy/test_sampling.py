"""Sampling with temperature and sampling a sequence from a character-level RNN."""
from __future__ import annotations

import re

import numpy as np
import pytest
from scipy.stats import chi2

from seqlab.numpy import (init_rnn_parameters, sample_sequence, sample_with_temperature, softmax,
                          softmax_with_temperature)

LOGITS = np.array([2.0, 0.5, -1.0, 1.0, 0.0])


def chi_square_pvalue(counts, p):
    expected = counts.sum() * p
    stat = np.sum((counts - expected) ** 2 / expected)
    return chi2.sf(stat, df=len(p) - 1)


def test_softmax_with_temperature():
    np.testing.assert_allclose(softmax_with_temperature(LOGITS, 1.0), softmax(LOGITS))
    np.testing.assert_allclose(softmax_with_temperature(LOGITS, 2.0), softmax(LOGITS / 2))
    np.testing.assert_array_equal(softmax_with_temperature(LOGITS, 0), np.eye(5)[0])
    hot = softmax_with_temperature(LOGITS, 1e3)
    np.testing.assert_allclose(hot, 0.2, atol=1e-3)  # τ → ∞: uniform
    z = np.stack([LOGITS, LOGITS[::-1]], axis=1).astype(np.float32)
    p = softmax_with_temperature(z, 0.5)
    assert p.dtype == np.float32 and p.shape == (5, 2)
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(softmax_with_temperature(z, 0), np.eye(5)[:, [0, 4]])


@pytest.mark.parametrize("tau", [0, 1e-6, 1e-3])
def test_temperature_to_zero_is_argmax(tau):
    rng = np.random.default_rng(0)
    draws = [sample_with_temperature(LOGITS, tau, rng) for _ in range(200)]
    assert draws == [0] * 200
    z = np.random.default_rng(1).standard_normal((6, 50))
    np.testing.assert_array_equal(sample_with_temperature(z, tau, rng), z.argmax(axis=0))


def test_temperature_one_follows_the_distribution():
    p = softmax(LOGITS)
    n = 20000
    draws = sample_with_temperature(np.repeat(LOGITS[:, None], n, axis=1), 1.0, seed=7)
    counts = np.bincount(draws, minlength=5)
    assert chi_square_pvalue(counts, p) > 1e-3
    # the test has power: the same counts are far from τ = 2's distribution
    assert chi_square_pvalue(counts, softmax(LOGITS / 2)) < 1e-6


def test_scalar_draws_follow_the_distribution():
    rng = np.random.default_rng(3)
    draws = np.array([sample_with_temperature(LOGITS, 2.0, rng) for _ in range(3000)])
    assert chi_square_pvalue(np.bincount(draws, minlength=5), softmax(LOGITS / 2)) > 1e-3


def test_seeded_reproducibility():
    z = np.random.default_rng(2).standard_normal((5, 100))
    a = sample_with_temperature(z, 1.0, seed=11)
    b = sample_with_temperature(z, 1.0, seed=11)
    c = sample_with_temperature(z, 1.0, seed=12)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert isinstance(sample_with_temperature(LOGITS, 1.0, seed=1), int)


def language_model(vocab=6, n_a=8, seed=0):
    return init_rnn_parameters(vocab, n_a, vocab, seed=seed, input_init="xavier_normal")


def greedy(p, eos, max_length, prefix=()):
    """The generation loop written out: x^<1> = 0, a^<0> = 0, feed back one-hot tokens."""
    vocab = p["Wax"].shape[1]
    a, x, out = np.zeros((p["Waa"].shape[0], 1)), np.zeros((vocab, 1)), []
    for token in list(prefix):
        a = np.tanh(p["Waa"] @ a + p["Wax"] @ x + p["ba"])
        x = np.eye(vocab)[:, [token]]
    while len(out) < max_length:
        a = np.tanh(p["Waa"] @ a + p["Wax"] @ x + p["ba"])
        token = int(np.argmax(p["Wya"] @ a + p["by"]))
        out.append(token)
        if token == eos:
            break
        x = np.eye(vocab)[:, [token]]
    return out


def test_sample_sequence_greedy_equals_hand_loop():
    p = language_model()
    for prefix in ((), (3,), (1, 4, 2)):
        assert sample_sequence(p, None, temperature=0, max_length=12, prefix=prefix) == greedy(p, None, 12, prefix)


def test_sample_sequence_reproducible_and_stops():
    p = language_model()
    a = sample_sequence(p, 0, seed=5, max_length=30)
    assert a == sample_sequence(p, 0, seed=5, max_length=30)
    runs = [sample_sequence(p, 0, seed=s, max_length=30) for s in range(40)]
    assert len({tuple(r) for r in runs}) > 1
    for r in runs:
        assert 1 <= len(r) <= 30
        assert all(0 <= t < 6 for t in r)
        assert 0 not in r[:-1]  # stops right after the end token
        assert r[-1] == 0 or len(r) == 30
    assert any(r[-1] == 0 for r in runs) and any(len(r) == 30 for r in runs)
    assert len(sample_sequence(p, None, max_length=7, seed=1)) == 7


def test_sample_sequence_float32_and_relu():
    p = init_rnn_parameters(4, 5, 4, seed=2, dtype=np.float32)
    assert sample_sequence(p, 1, seed=3, activation="relu") == sample_sequence(p, 1, seed=3, activation="relu")


def test_errors():
    p = language_model()
    with pytest.raises(ValueError, match=re.escape("temperature τ must be a finite number ≥ 0; got -1")):
        sample_with_temperature(LOGITS, -1)
    with pytest.raises(ValueError, match="temperature τ must be"):
        softmax_with_temperature(LOGITS, np.nan)
    with pytest.raises(ValueError, match="logits z\\^<t> contains NaN"):
        sample_with_temperature(np.array([0.0, np.nan]))
    with pytest.raises(TypeError, match="logits z\\^<t> must be a float32 or float64 array"):
        sample_with_temperature(np.array([1, 2]))
    with pytest.raises(ValueError, match="sampling needs the output layer"):
        sample_sequence({k: v for k, v in p.items() if k != "Wya"}, 0)
    with pytest.raises(ValueError, match=re.escape("n_x = n_y = |V|; got n_x = 3, n_y = 6")):
        sample_sequence({**p, "Wax": p["Wax"][:, :3]}, 0)
    with pytest.raises(ValueError, match=re.escape("token ids must be ints in 0 … |V| − 1 = 5; got 6")):
        sample_sequence(p, 6)
    with pytest.raises(ValueError, match="token ids must be ints"):
        sample_sequence(p, 0, prefix=[1, -1])
    with pytest.raises(ValueError, match="max_length must be a positive int; got 0"):
        sample_sequence(p, 0, max_length=0)
    with pytest.raises(ValueError, match="activation must be one of"):
        sample_sequence(p, 0, activation="gelu")
    with pytest.raises(TypeError, match="W_aa is float32 but the other arrays are float64"):
        sample_sequence({**p, "Waa": p["Waa"].astype(np.float32)}, 0)
