"""seqlab.vocab: vocabulary, <UNK>, indices and one-hot vectors in the course's layout."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seqlab.vocab import UNK, Vocabulary, tokenize

SENTENCE = "Harry Potter and Hermione Granger invented a new spell"


@pytest.fixture
def vocab():
    return Vocabulary(tokenize(SENTENCE))


def test_tokenize():
    assert tokenize("Don't stop, Harry!") == ["don't", "stop", ",", "harry", "!"]
    assert tokenize("Harry", lowercase=False) == ["Harry"]
    with pytest.raises(TypeError, match="string"):
        tokenize(["a"])


def test_unk_first_then_tokens_in_alphabetical_order(vocab):
    assert vocab.tokens == [UNK, "a", "and", "granger", "harry", "hermione", "invented", "new", "potter", "spell"]
    assert len(vocab) == 10 and vocab.unk_index == 0 and vocab.unk == UNK
    assert "harry" in vocab and "dobby" not in vocab
    assert repr(vocab) == "Vocabulary(|V| = 10: <UNK>, a, and, granger, harry, hermione, ...)"


def test_index_token_round_trip_and_unknown_words(vocab):
    for k, token in enumerate(vocab.tokens):
        assert vocab.index(token) == k and vocab.token(k) == token
    assert vocab.index("dobby") == 0
    assert vocab.token(np.int64(4)) == "harry"


def test_min_count_and_max_size_keep_the_frequent_tokens():
    corpus = "b a a c c c d d d d".split()
    assert Vocabulary(corpus, min_count=2).tokens == [UNK, "a", "c", "d"]
    assert Vocabulary(corpus, max_size=3).tokens == [UNK, "c", "d"]
    assert Vocabulary(corpus + ["b"], max_size=3).tokens == [UNK, "c", "d"]
    assert Vocabulary(corpus).counts == {"a": 2, "b": 1, "c": 3, "d": 4}
    assert Vocabulary(["a", "b", UNK]).tokens == [UNK, "a", "b"]
    ties = Vocabulary("y x z".split(), max_size=3)  # equal counts: alphabetical order decides
    assert ties.tokens == [UNK, "x", "y"]


def test_encode_and_decode(vocab):
    ids = vocab.encode(tokenize("Harry met Dobby"))
    assert ids.dtype == np.int64 and ids.tolist() == [4, 0, 0]
    assert vocab.decode(ids) == ["harry", UNK, UNK]
    assert vocab.decode([4, 9]) == ["harry", "spell"]


def test_one_hot_sentence_is_n_x_by_t_x(vocab):
    words = tokenize(SENTENCE)
    x = vocab.one_hot(words)
    assert x.shape == (len(vocab), 9) and x.dtype == np.float64
    np.testing.assert_array_equal(x.sum(axis=0), np.ones(9))
    assert [int(k) for k in x.argmax(axis=0)] == vocab.encode(words).tolist()
    assert x[vocab.index("harry"), 0] == 1  # x^<1> is column 0
    assert vocab.decode(x) == words
    assert vocab.one_hot(words, dtype=np.float32).dtype == np.float32


def test_one_hot_batch_is_n_x_by_m_by_t_x_with_zero_padding(vocab):
    batch = [["harry", "potter"], ["a", "new", "dobby"], ["spell"]]
    x = vocab.one_hot(batch)
    assert x.shape == (len(vocab), 3, 3)
    np.testing.assert_array_equal(x.sum(axis=0), [[1, 1, 0], [1, 1, 1], [1, 0, 0]])
    assert x[vocab.index("new"), 1, 1] == 1 and x[0, 1, 2] == 1  # x^(2)<2> = new, x^(2)<3> = <UNK>
    assert vocab.decode(x) == [["harry", "potter"], ["a", "new", UNK], ["spell"]]
    ids, mask = vocab.encode_batch(batch)
    assert ids.tolist() == [[4, 8, 0], [1, 7, 0], [9, 0, 0]]
    assert mask.tolist() == [[1, 1, 0], [1, 1, 1], [1, 0, 0]]
    assert tuple(vocab.one_hot((("a",),)).shape) == (len(vocab), 1, 1)


def test_decode_takes_the_arg_max_of_probabilities(vocab):
    p = np.full((len(vocab), 2), 0.01)
    p[4, 0], p[9, 1] = 0.9, 0.5
    assert vocab.decode(p) == ["harry", "spell"]


@pytest.mark.parametrize("bad,error,message", [
    ("harry potter", TypeError, "not a string"),
    ([], ValueError, r"T_x >= 1"),
    ([["a"], "b"], TypeError, "mixed"),
    ([3], TypeError, "must be a string"),
])
def test_one_hot_rejects_bad_sequences(vocab, bad, error, message):
    with pytest.raises(error, match=message):
        vocab.one_hot(bad)


def test_clear_errors(vocab):
    with pytest.raises(IndexError, match=r"token index 10 is out of range for a vocabulary of \|V\| = 10"):
        vocab.token(10)
    with pytest.raises(IndexError, match="out of range"):
        vocab.token(-1)
    with pytest.raises(TypeError, match="integer"):
        vocab.token(1.0)
    with pytest.raises(TypeError, match="integer"):
        vocab.token(True)
    with pytest.raises(TypeError, match="string"):
        vocab.index(3)
    with pytest.raises(TypeError, match="float32 or float64"):
        vocab.one_hot(["a"], dtype=np.int64)
    with pytest.raises(TypeError, match="list of m token sequences"):
        vocab.encode_batch(["a", "b"])
    with pytest.raises(ValueError, match=r"x must be \(n_x, T_x\) = \(10, 2\); got \(3, 2\)"):
        vocab.decode(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="contains NaN"):
        vocab.decode(np.full((10, 2), np.nan))
    with pytest.raises(ValueError, match="decode expects"):
        vocab.decode(np.zeros((2, 2), dtype=np.int64))
    with pytest.raises(ValueError, match=r"\(n_x, m, T_x\) with n_x = \|V\| = 10; got float64 \(10, 1, 1, 1\)"):
        vocab.decode(np.zeros((10, 1, 1, 1)))
    with pytest.raises(IndexError):
        vocab.decode([12])


def test_construction_errors():
    with pytest.raises(TypeError, match="not a string"):
        Vocabulary("harry")
    with pytest.raises(TypeError, match="strings"):
        Vocabulary(["a", 1])
    with pytest.raises(ValueError, match="besides <UNK>"):
        Vocabulary([])
    with pytest.raises(ValueError, match="besides <UNK>"):
        Vocabulary(["a"], min_count=2)
    with pytest.raises(ValueError, match="min_count"):
        Vocabulary(["a"], min_count=0)
    with pytest.raises(ValueError, match="max_size"):
        Vocabulary(["a"], max_size=1)


@given(st.lists(st.lists(st.sampled_from(["a", "b", "c", "zz", "q"]), min_size=1, max_size=6), min_size=1, max_size=5))
def test_one_hot_batch_matches_per_sentence_one_hot(batch):
    vocab = Vocabulary(["a", "b", "c"])
    x = vocab.one_hot(batch)
    t_x = max(len(s) for s in batch)
    assert x.shape == (4, len(batch), t_x)
    for i, sentence in enumerate(batch):
        np.testing.assert_array_equal(x[:, i, :len(sentence)], vocab.one_hot(sentence))
        assert not x[:, i, len(sentence):].any()
    assert vocab.decode(x) == [[w if w in vocab else UNK for w in s] for s in batch]
