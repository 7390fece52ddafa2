"""seqlab.data.sentiment: templated reviews, some negated."""
from __future__ import annotations

import numpy as np
import pytest

from seqlab.data.sentiment import NEGATIVE_WORDS, POSITIVE_WORDS, is_negated, sentiment_dataset

_POS_VERBS = {"love", "loved", "like", "liked", "enjoy", "enjoyed"}
_NEG_VERBS = {"hate", "hated", "dislike", "disliked"}


def _written_polarity(words):
    if set(words) & (set(POSITIVE_WORDS) | _POS_VERBS):
        return 1
    assert set(words) & (set(NEGATIVE_WORDS) | _NEG_VERBS)
    return 0


def test_label_is_the_polarity_flipped_by_negation():
    sentences, labels = sentiment_dataset(1000, seed=0)
    assert len(sentences) == len(labels) == 1000
    negated = 0
    for words, label in zip(sentences, labels):
        assert label in (0, 1) and all(w == w.lower() and w for w in words)
        written = _written_polarity(words)
        if is_negated(words):
            negated += 1
            assert label == 1 - written
        else:
            assert label == written
    assert 0.2 < negated / 1000 < 0.4
    assert 0.45 < np.mean(labels) < 0.55


def test_p_negated_and_seed():
    sentences, _ = sentiment_dataset(100, seed=1, p_negated=0.0)
    assert not any(is_negated(s) for s in sentences)
    sentences, _ = sentiment_dataset(100, seed=1, p_negated=1.0)
    assert all(is_negated(s) for s in sentences)
    assert sentiment_dataset(20, seed=2) == sentiment_dataset(20, seed=2)
    assert sentiment_dataset(20, seed=2) != sentiment_dataset(20, seed=3)


@pytest.mark.parametrize("kwargs", [dict(n=0), dict(n=True), dict(n=3, p_negated=-0.1)])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        sentiment_dataset(**kwargs)
