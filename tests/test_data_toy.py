"""seqlab.data.toy: motif strings, number words, circle points, padding and one-hot."""
from __future__ import annotations

import numpy as np
import pytest

from seqlab.data.toy import (ALPHABET, DIGIT_VOCABULARY, NUMBER_VOCABULARY, circle_dataset, motif_arrays,
                             motif_dataset, motif_ends, number_translation_dataset, number_words, one_hot,
                             pad_sequences, rng_of)


def test_motif_dataset_has_exactly_one_motif_in_the_range():
    sequences, labels = motif_dataset(300, lengths=(6, 12), ends=(8, 12), motif="TAG", seed=3)
    assert len(sequences) == len(labels) == 300
    for s, y in zip(sequences, labels):
        assert 8 <= len(s) <= 12 and len(y) == len(s) and set(s) <= set(ALPHABET)
        ends = motif_ends(s, "TAG")
        assert len(ends) == 1 and 8 <= ends[0] <= 12
        assert y == [int(t == ends[0]) for t in range(1, len(s) + 1)]
    assert {len(s) for s in sequences} == set(range(8, 13))


def test_motif_dataset_is_reproducible_and_seeded():
    assert motif_dataset(20, seed=1) == motif_dataset(20, seed=1)
    assert motif_dataset(20, seed=1) != motif_dataset(20, seed=2)
    rng = np.random.default_rng(0)
    assert motif_dataset(5, seed=rng) != motif_dataset(5, seed=rng)


@pytest.mark.parametrize("kwargs", [dict(n=0), dict(n=5, lengths=(2, 4)), dict(n=5, ends=(13, 14)),
                                    dict(n=5, motif="TAX"), dict(n=5, motif=""), dict(n=5, seed="a")])
def test_motif_dataset_rejects_bad_arguments(kwargs):
    with pytest.raises((ValueError, TypeError)):
        motif_dataset(**kwargs)


def test_motif_arrays():
    x, y, mask = motif_arrays(["TAGA", "CTAGCC"], [[0, 0, 1, 0], [0, 0, 0, 1, 0, 0]], length=7)
    assert x.shape == (4, 2, 7) and y.shape == mask.shape == (2, 7)
    assert mask.sum(axis=1).tolist() == [4, 6]
    assert x[:, 0, :4].argmax(axis=0).tolist() == [3, 0, 2, 0]  # T A G A
    assert x[:, 0, 4:].sum() == 0 and x.sum() == 10
    assert y[1].tolist() == [0, 0, 0, 1, 0, 0, 0]
    assert motif_arrays(["TAG"], [[0, 0, 1]], dtype=np.float32)[0].dtype == np.float32


def test_pad_sequences_and_one_hot():
    ids, mask = pad_sequences([[1, 2], [3]], value=7)
    assert ids.tolist() == [[1, 2], [3, 7]] and mask.tolist() == [[1, 1], [1, 0]]
    with pytest.raises(ValueError, match="more than length"):
        pad_sequences([[1, 2, 3]], length=2)
    with pytest.raises(ValueError):
        pad_sequences([])
    x = one_hot(ids, 8, mask)
    assert x.shape == (8, 2, 2) and x[:, 1, 1].sum() == 0 and x[3, 1, 0] == 1
    assert one_hot(np.array([0, 2]), 3).tolist() == [[1, 0], [0, 0], [0, 1]]
    with pytest.raises(ValueError, match="0 … 2"):
        one_hot(np.array([3]), 3)
    with pytest.raises(TypeError):
        one_hot(np.array([0.5]), 3)
    with pytest.raises(TypeError):
        one_hot(np.array([0]), 3, dtype=np.int32)
    with pytest.raises(ValueError, match="shape of ids"):
        one_hot(ids, 8, mask[:, :1])


@pytest.mark.parametrize("k, words", [(0, "zero"), (7, "seven"), (13, "thirteen"), (40, "forty"),
                                      (58, "fifty eight"), (100, "one hundred"), (101, "one hundred one"),
                                      (310, "three hundred ten"), (342, "three hundred forty two"),
                                      (999, "nine hundred ninety nine")])
def test_number_words(k, words):
    assert number_words(k) == words.split()
    assert set(number_words(k)) <= set(NUMBER_VOCABULARY[1:])


def test_number_translation_dataset():
    sources, targets = number_translation_dataset([342, 7, 40])
    assert sources[0] == ["three", "hundred", "forty", "two"] and targets[0] == ["3", "4", "2"]
    assert targets[1] == ["7"] and targets[2] == ["4", "0"]
    assert set(d for t in targets for d in t) <= set(DIGIT_VOCABULARY[1:])
    all_sources, _ = number_translation_dataset(range(1000))
    assert len({tuple(s) for s in all_sources}) == 1000  # every number has its own words
    with pytest.raises(ValueError):
        number_words(1000)
    with pytest.raises(ValueError):
        number_translation_dataset([])


def test_circle_dataset():
    points, labels = circle_dataset(2000, seed=0)
    assert points.shape == (2000, 2) and labels.shape == (2000,)
    assert np.abs(points).max() <= 1.6
    assert np.array_equal(labels, (np.linalg.norm(points, axis=1) < 1).astype(int))
    assert 0.25 < labels.mean() < 0.4  # π / 3.2² ≈ 0.31
    with pytest.raises(ValueError):
        circle_dataset(10, radius=5.0)


def test_rng_of():
    rng = np.random.default_rng(0)
    assert rng_of(rng) is rng
    with pytest.raises(TypeError):
        rng_of(True)
