"""Vocabularies and one-hot vectors (chapter 1, "Sequence data").

A vocabulary :math:`\\mathcal{V}` lists the tokens a model knows; every other token is
mapped to ``<UNK>``. A token at time step t is fed to a network as the one-hot vector
x^<t> of length n_x = |V|: all zeros except a 1 at the token's index. In the course's
column layout a sentence of T_x tokens is the matrix x of shape (n_x, T_x) (one column per
time step) and a batch of m sentences is (n_x, m, T_x); a shorter sentence of the batch
(T_x^(i) < T_x) is padded with all-zero columns.

>>> v = Vocabulary(tokenize("the cat sat on the mat"))
>>> len(v), v.tokens
(6, ['<UNK>', 'cat', 'mat', 'on', 'sat', 'the'])
>>> v.encode(["the", "dog"]).tolist()
[5, 0]
>>> v.one_hot(["the", "dog"]).shape
(6, 2)
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from .checks import check_array

__all__ = ["UNK", "Vocabulary", "tokenize"]

#: the token that stands for every word outside the vocabulary
UNK = "<UNK>"

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]", re.IGNORECASE)


def tokenize(text: str, lowercase: bool = True) -> list[str]:
    """Split ``text`` into word and punctuation tokens (``"Don't stop."`` -> don't, stop, .)."""
    if not isinstance(text, str):
        raise TypeError(f"tokenize expects a string; got {type(text).__name__}")
    return _WORD.findall(text.lower() if lowercase else text)


class Vocabulary:
    """Token <-> index map with an ``<UNK>`` token at index 0.

    ``tokens`` is any iterable of tokens (a corpus). Tokens seen fewer than ``min_count``
    times are left out; ``max_size`` (counting ``<UNK>``) keeps the most frequent ones
    (ties broken alphabetically). The kept tokens are sorted alphabetically, as in a
    dictionary, after ``<UNK>``.
    """

    def __init__(self, tokens: Iterable[str], *, min_count: int = 1, max_size: int | None = None,
                 unk: str = UNK) -> None:
        if isinstance(tokens, str):
            raise TypeError("Vocabulary expects an iterable of tokens, not a string; "
                            "split it first, e.g. Vocabulary(tokenize(text))")
        if not isinstance(min_count, int) or min_count < 1:
            raise ValueError(f"min_count must be an integer >= 1; got {min_count!r}")
        if max_size is not None and (not isinstance(max_size, int) or max_size < 2):
            raise ValueError(f"max_size must be an integer >= 2 (<UNK> and one token); got {max_size!r}")
        counts = Counter()
        for token in tokens:
            if not isinstance(token, str):
                raise TypeError(f"tokens must be strings; got {type(token).__name__} {token!r}")
            if token != unk:
                counts[token] += 1
        kept = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
        if max_size is not None:
            kept = kept[: max_size - 1]
        if not kept:
            raise ValueError("a vocabulary needs at least one token besides <UNK>")
        self.unk = unk
        self._tokens = [unk] + sorted(kept)
        self._index = {t: i for i, t in enumerate(self._tokens)}
        self.counts = {t: counts[t] for t in kept}

    # --- lookups -----------------------------------------------------------------------
    def __len__(self) -> int:
        """|V|, counting ``<UNK>``: the size n_x of a one-hot vector."""
        return len(self._tokens)

    def __contains__(self, token: object) -> bool:
        return token in self._index

    def __repr__(self) -> str:
        head = ", ".join(self._tokens[:6]) + (", ..." if len(self) > 6 else "")
        return f"Vocabulary(|V| = {len(self)}: {head})"

    @property
    def tokens(self) -> list[str]:
        """All tokens, by index."""
        return list(self._tokens)

    @property
    def unk_index(self) -> int:
        return 0

    def index(self, token: str) -> int:
        """Index of ``token``; tokens outside the vocabulary get the index of ``<UNK>``."""
        if not isinstance(token, str):
            raise TypeError(f"a token must be a string; got {type(token).__name__} {token!r}")
        return self._index.get(token, self.unk_index)

    def token(self, index: int) -> str:
        """The token at ``index`` (0 <= index < |V|)."""
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"a token index must be an integer; got {type(index).__name__} {index!r}")
        if not 0 <= index < len(self):
            raise IndexError(f"token index {index} is out of range for a vocabulary of |V| = {len(self)} "
                             f"(valid: 0 to {len(self) - 1})")
        return self._tokens[int(index)]

    # --- sequences ---------------------------------------------------------------------
    def encode(self, tokens: Sequence[str]) -> np.ndarray:
        """Indices of a sequence of T_x tokens, shape (T_x,), dtype int64."""
        return np.array([self.index(t) for t in _sequence(tokens)], dtype=np.int64)

    def encode_batch(self, batch: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Indices of m sequences padded to T_x = max T_x^(i): ``(ids (m, T_x), mask (m, T_x))``.

        Padded positions hold the ``<UNK>`` index and have mask 0; real tokens have mask 1.
        """
        sequences = [self.encode(s) for s in _batch(batch)]
        t_x = max(len(s) for s in sequences)
        ids = np.full((len(sequences), t_x), self.unk_index, dtype=np.int64)
        mask = np.zeros((len(sequences), t_x), dtype=np.int64)
        for i, s in enumerate(sequences):
            ids[i, : len(s)] = s
            mask[i, : len(s)] = 1
        return ids, mask

    def one_hot(self, tokens, dtype=np.float64) -> np.ndarray:
        """One-hot vectors x^<t> as columns.

        A sequence of T_x tokens gives x of shape (n_x, T_x) with n_x = |V|; a batch (a list of m
        sequences) gives (n_x, m, T_x), T_x being the longest T_x^(i); positions past the end
        of a shorter sequence are all-zero columns.
        """
        dtype = np.dtype(dtype)
        if dtype.type not in (np.float32, np.float64):
            raise TypeError(f"one-hot vectors are float32 or float64; got {dtype}")
        if _is_batch(tokens):
            ids, mask = self.encode_batch(tokens)
            x = np.zeros((len(self),) + ids.shape, dtype=dtype)
            m_idx, t_idx = np.nonzero(mask)
            x[ids[m_idx, t_idx], m_idx, t_idx] = 1
            return x
        ids = self.encode(tokens)
        x = np.zeros((len(self), len(ids)), dtype=dtype)
        x[ids, np.arange(len(ids))] = 1
        return x

    def decode(self, values) -> list:
        """Tokens back from indices (T_x,) or from one-hot / probability columns.

        ``(n_x, T_x)`` gives T_x tokens (the arg-max of each column); ``(n_x, m, T_x)`` gives
        one list per example, without its all-zero (padding) columns.
        """
        array = np.asarray(values)
        if array.ndim == 1 and np.issubdtype(array.dtype, np.integer):
            return [self.token(int(i)) for i in array]
        if np.issubdtype(array.dtype, np.integer) or array.ndim not in (2, 3):
            raise ValueError(f"decode expects indices (T_x,) or one-hot x of shape (n_x, T_x) or "
                             f"(n_x, m, T_x) with n_x = |V| = {len(self)}; got {array.dtype} {array.shape}")
        dims = ("n_x", "T_x") if array.ndim == 2 else ("n_x", "m", "T_x")
        check_array(array, "x", dims, {"n_x": len(self)})
        if array.ndim == 2:
            return [self._tokens[i] for i in array.argmax(axis=0)]
        present = array.any(axis=0)  # (m, T_x): False at padded positions
        best = array.argmax(axis=0)
        return [[self._tokens[best[i, t]] for t in np.flatnonzero(present[i])] for i in range(array.shape[1])]


def _sequence(tokens) -> list[str]:
    if isinstance(tokens, str):
        raise TypeError("expected a sequence of tokens, not a string; split it first, e.g. tokenize(text)")
    tokens = list(tokens)
    if not tokens:
        raise ValueError("a sequence needs at least one token (T_x >= 1)")
    return tokens


def _is_batch(tokens) -> bool:
    """A batch is a non-string sequence whose items are all non-string sequences."""
    items = _sequence(tokens)
    nested = [not isinstance(t, str) and isinstance(t, Sequence) for t in items]
    if any(nested) and not all(nested):
        raise TypeError("mixed tokens and sequences: give one sequence of tokens or a list of sequences")
    return all(nested)


def _batch(batch) -> list:
    if not _is_batch(batch):
        raise TypeError("encode_batch expects a list of m token sequences")
    return list(batch)
