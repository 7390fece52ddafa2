"""Small generated tasks of chapters 2 and 5 (seeded, nothing downloaded).

* :func:`motif_dataset` -- DNA-like strings over ``ACGT`` in which a short motif occurs
  exactly once; the target y^<t> is 1 at the time step where the motif ends, else 0.
  The range of end positions is a parameter, so a model can be trained on motifs near
  the start of the sequence and tested on motifs near its end (chapter 2: a dense
  network learns one detector per position, an RNN one detector shared by all steps).
* :func:`number_words` / :func:`number_translation_dataset` -- an integer written in
  English words ("three hundred forty two", T_x = 4) and its digits ("3 4 2", T_y = 3):
  a translation task with T_x ≠ T_y for the encoder–decoder of chapter 5.
* :func:`circle_dataset` -- points of the plane labelled by whether they lie inside a
  circle: a one-to-one task (T_x = T_y = 1).
* :func:`pad_sequences` and :func:`one_hot` turn lists of token ids into the course's
  arrays: labels ``(m, T)``, masks ``(m, T)`` and one-hot inputs x of shape ``(n_x, m, T_x)``.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["ALPHABET", "motif_dataset", "motif_arrays", "motif_ends", "number_words", "NUMBER_VOCABULARY",
           "DIGIT_VOCABULARY", "number_translation_dataset", "circle_dataset", "pad_sequences", "one_hot",
           "rng_of"]

#: the letters of :func:`motif_dataset`'s strings (index = one-hot row)
ALPHABET = "ACGT"


def rng_of(seed) -> np.random.Generator:
    """A generator from an int seed, or the generator itself."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int or a numpy.random.Generator; got {type(seed).__name__}")
    return np.random.default_rng(int(seed))


def _check_count(value, name: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an int ≥ {low}; got {value!r}")
    return int(value)


# --------------------------------------------------------------------------- padding and one-hot
def pad_sequences(sequences: Sequence[Sequence[int]], length: int | None = None,
                  value: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Lists of m integer sequences as ``(ids (m, T), mask (m, T))``, int64.

    T is ``length`` or the longest T^(i); the mask is 1 on real steps and 0 on padding,
    which holds ``value``.  A sequence longer than ``length`` is an error, not cut.
    """
    sequences = [list(s) for s in sequences]
    if not sequences or any(len(s) == 0 for s in sequences):
        raise ValueError("pad_sequences needs at least one sequence, each of length T^(i) ≥ 1")
    longest = max(len(s) for s in sequences)
    T = longest if length is None else _check_count(length, "length")
    if longest > T:
        raise ValueError(f"a sequence has T^(i) = {longest} steps, more than length = {T}")
    ids = np.full((len(sequences), T), value, dtype=np.int64)
    mask = np.zeros((len(sequences), T), dtype=np.int64)
    for i, s in enumerate(sequences):
        ids[i, : len(s)] = s
        mask[i, : len(s)] = 1
    return ids, mask


def one_hot(ids: np.ndarray, n: int, mask: np.ndarray | None = None, dtype=np.float64) -> np.ndarray:
    """One-hot columns of integer ids: (m, T) -> x (n, m, T); (m,) -> (n, m).

    Positions where ``mask`` is 0 are all-zero columns (padding).
    """
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu" or ids.ndim not in (1, 2):
        raise TypeError(f"ids must be an integer array (m,) or (m, T); got {ids.dtype} {ids.shape}")
    n = _check_count(n, "n")
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        raise ValueError(f"ids must lie in 0 … {n - 1}; got values in {int(ids.min())} … {int(ids.max())}")
    dtype = np.dtype(dtype)
    if dtype.type not in (np.float32, np.float64):
        raise TypeError(f"one-hot vectors are float32 or float64; got {dtype}")
    out = np.zeros((n,) + ids.shape, dtype=dtype)
    np.put_along_axis(out, ids[None], 1.0, axis=0)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != ids.shape:
            raise ValueError(f"mask must have the shape of ids {ids.shape}; got {mask.shape}")
        out *= mask.astype(dtype)[None]
    return out


# --------------------------------------------------------------------------- motif labelling
def motif_ends(sequence: str, motif: str) -> list[int]:
    """Time steps t (counted from 1) at which an occurrence of ``motif`` ends in ``sequence``."""
    k = len(motif)
    return [t for t in range(k, len(sequence) + 1) if sequence[t - k:t] == motif]


def motif_dataset(n: int, lengths: tuple[int, int] = (6, 12), ends: tuple[int, int] | None = None,
                  motif: str = "TAG", seed=0) -> tuple[list[str], list[list[int]]]:
    """n strings over ``ACGT`` with exactly one occurrence of ``motif``, and their labels.

    Each length T_x^(i) is uniform in ``lengths`` (inclusive; at least ``ends[0]``); the
    motif ends at a step uniform in ``ends`` (inclusive, counted from 1, at most T_x^(i);
    default: anywhere it fits) and occurs nowhere else.  The labels are y^<t> = 1 at the end of the motif, 0 elsewhere.

    Returns ``(sequences, labels)``: a list of strings and a list of 0/1 lists.
    """
    n = _check_count(n, "n")
    lo, hi = (_check_count(v, "lengths") for v in lengths)
    k = len(motif)
    if not motif or set(motif) - set(ALPHABET):
        raise ValueError(f"motif must be a non-empty string over {ALPHABET}; got {motif!r}")
    end_lo, end_hi = (k, hi) if ends is None else (_check_count(v, "ends") for v in ends)
    if not (k <= lo <= hi and k <= end_lo <= end_hi and end_lo <= hi):
        raise ValueError(f"need len(motif) = {k} ≤ lengths[0] ≤ lengths[1] and len(motif) ≤ ends[0] ≤ ends[1] "
                         f"≤ lengths[1]; got lengths = {lengths}, ends = {(end_lo, end_hi)}")
    rng = rng_of(seed)
    sequences, labels = [], []
    while len(sequences) < n:
        T = int(rng.integers(max(lo, end_lo), hi + 1))
        end = int(rng.integers(end_lo, min(end_hi, T) + 1))
        letters = list(rng.choice(list(ALPHABET), size=T))
        letters[end - k:end] = motif
        text = "".join(letters)
        if motif_ends(text, motif) != [end]:
            continue  # another occurrence appeared by chance: draw again
        sequences.append(text)
        labels.append([int(t == end) for t in range(1, T + 1)])
    return sequences, labels


def motif_arrays(sequences: Sequence[str], labels: Sequence[Sequence[int]], length: int | None = None,
                 dtype=np.float64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x (4, m, T) one-hot letters, y (m, T) int labels and mask (m, T), padded to ``length``."""
    index = {c: i for i, c in enumerate(ALPHABET)}
    ids, mask = pad_sequences([[index[c] for c in s] for s in sequences], length)
    y, _ = pad_sequences(labels, ids.shape[1])
    return one_hot(ids, len(ALPHABET), mask, dtype), y, mask


# --------------------------------------------------------------------------- numbers in words
_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
#: source words of :func:`number_words` (index 0 is the padding / unknown token)
NUMBER_VOCABULARY = ["<pad>"] + _ONES + _TENS[2:] + ["hundred"]
#: target tokens: index 0 is ``<eos>`` (it also starts the decoder), then the digits
DIGIT_VOCABULARY = ["<eos>"] + [str(d) for d in range(10)]


def number_words(k: int) -> list[str]:
    """An integer 0 ≤ k ≤ 999 in English words: 342 -> ['three', 'hundred', 'forty', 'two']."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= 999:
        raise ValueError(f"number_words needs an int in 0 … 999; got {k!r}")
    k = int(k)
    hundreds, rest = divmod(k, 100)
    words = [_ONES[hundreds], "hundred"] if hundreds else []
    if rest >= 20:
        words.append(_TENS[rest // 10])
        if rest % 10:
            words.append(_ONES[rest % 10])
    elif rest or not hundreds:
        words.append(_ONES[rest])
    return words


def number_translation_dataset(numbers: Sequence[int]) -> tuple[list[list[str]], list[list[str]]]:
    """Source sentences (number words) and target sentences (digits) of the given integers.

    342 gives ``(['three', 'hundred', 'forty', 'two'], ['3', '4', '2'])``: T_x = 4, T_y = 3.
    """
    numbers = list(numbers)
    if not numbers:
        raise ValueError("number_translation_dataset needs at least one number")
    return [number_words(k) for k in numbers], [list(str(int(k))) for k in numbers]


# --------------------------------------------------------------------------- one-to-one
def circle_dataset(n: int, radius: float = 1.0, half_width: float = 1.6, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """n points uniform in the square [−half_width, half_width]², label 1 inside the circle.

    Returns ``(points (n, 2), labels (n,))``.
    """
    n = _check_count(n, "n")
    if not 0 < radius < half_width * np.sqrt(2):
        raise ValueError(f"radius must lie in (0, √2 · half_width); got {radius!r}")
    points = rng_of(seed).uniform(-half_width, half_width, size=(n, 2))
    return points, (np.hypot(points[:, 0], points[:, 1]) < radius).astype(np.int64)
