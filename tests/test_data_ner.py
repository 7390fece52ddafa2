"""seqlab.data.ner: templated sentences with person labels."""
from __future__ import annotations

import numpy as np
import pytest

from seqlab.data.ner import (AMBIGUOUS_WORDS, FIRST_NAMES, HELD_OUT_FIRST_NAMES, HELD_OUT_LAST_NAMES,
                             LAST_NAMES, NAME_TEMPLATES, OTHER_TEMPLATES, ner_arrays, ner_dataset,
                             ner_vocabulary)
from seqlab.vocab import Vocabulary

NAMES = set(FIRST_NAMES) | set(LAST_NAMES)


def test_labels_mark_exactly_the_name_words():
    sentences, labels = ner_dataset(500, seed=0)
    assert len(sentences) == len(labels) == 500
    for words, y in zip(sentences, labels):
        assert len(words) == len(y) and set(y) <= {0, 1}
        for w, label in zip(words, y):
            if label:
                assert w in NAMES
            else:
                assert w not in NAMES or w in AMBIGUOUS_WORDS
    flat = [label for y in labels for label in y]
    assert 0.1 < np.mean(flat) < 0.4


def test_ambiguous_words_occur_both_as_names_and_as_words():
    sentences, labels = ner_dataset(2000, seed=1)
    seen = {}
    for words, y in zip(sentences, labels):
        for w, label in zip(words, y):
            if w in AMBIGUOUS_WORDS:
                seen.setdefault(w, set()).add(label)
    assert seen.keys() == AMBIGUOUS_WORDS
    assert sum(v == {0, 1} for v in seen.values()) >= 8
    # some sentences start with an ambiguous word as a name, some as an ordinary word
    starts = {(words[0], y[0]) for words, y in zip(sentences, labels) if words[0] in AMBIGUOUS_WORDS}
    assert {label for _, label in starts} == {0, 1}


def test_held_out_names_are_disjoint():
    assert not (set(HELD_OUT_FIRST_NAMES) | set(HELD_OUT_LAST_NAMES)) & NAMES
    template_words = {w for t in NAME_TEMPLATES + OTHER_TEMPLATES for w in t.split()}
    assert not (set(HELD_OUT_FIRST_NAMES) | set(HELD_OUT_LAST_NAMES)) & template_words
    sentences, labels = ner_dataset(200, seed=2, names="held_out")
    names = {w for s, y in zip(sentences, labels) for w, label in zip(s, y) if label}
    assert names and names <= set(HELD_OUT_FIRST_NAMES) | set(HELD_OUT_LAST_NAMES)


def test_reproducible_and_p_people():
    assert ner_dataset(30, seed=5) == ner_dataset(30, seed=5)
    assert ner_dataset(30, seed=5) != ner_dataset(30, seed=6)
    _, labels = ner_dataset(50, seed=0, p_people=0.0)
    assert not any(any(y) for y in labels)
    _, labels = ner_dataset(50, seed=0, p_people=1.0)
    assert all(any(y) for y in labels)


@pytest.mark.parametrize("kwargs", [dict(n=0), dict(n=2, names="all"), dict(n=2, p_people=1.5)])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        ner_dataset(**kwargs)


def test_vocabulary_and_arrays():
    sentences, labels = ner_dataset(40, seed=3)
    vocab = ner_vocabulary(sentences)
    assert isinstance(vocab, Vocabulary) and vocab.tokens[0] == "<UNK>"
    x, y, mask = ner_arrays(sentences, labels, vocab)
    T = max(len(s) for s in sentences)
    assert x.shape == (len(vocab), 40, T) and y.shape == mask.shape == (40, T)
    assert mask.sum(axis=1).tolist() == [len(s) for s in sentences]
    assert np.array_equal(x.sum(axis=0), mask)
    assert vocab.decode(x)[0] == sentences[0]
    assert y[0, : len(labels[0])].tolist() == labels[0]
    ids, y2, mask2 = ner_arrays(sentences, labels, vocab, one_hot_inputs=False)
    assert ids.shape == (40, T) and np.array_equal(y, y2) and np.array_equal(mask, mask2)
    assert ner_arrays(sentences, labels, vocab, dtype=np.float32)[0].dtype == np.float32
    held, held_labels = ner_dataset(20, seed=4, names="held_out")
    ids, _, _ = ner_arrays(held, held_labels, vocab, one_hot_inputs=False)
    assert (ids == vocab.unk_index).any()  # unseen names are <UNK>
    with pytest.raises(ValueError, match="one label per word"):
        ner_arrays(sentences[:2], [labels[0], labels[1][:-1]], vocab)
