"""Templated named-entity recognition: sentences with one label per word (chapters 5 and 11).

The target y^<t> is 1 when the word x^<t> is part of a person's name ("harry potter and
hermione granger invented a new spell" -> 1 1 0 1 1 0 0 0 0), as in the notes.  Words are
lower-case, so capital letters give nothing away, and some names are also ordinary
words: "rose", "hope", "will", "mark", "may", "bill" start sentences both as first names
("will potter met ...") and as other words ("will you bring ..."), and the surnames
"potter", "baker", "cook", "fisher", "hunter" are also trades ("the potter made ...").
Whether such a word is a name is decided by its context, sometimes only by the words
*after* it -- which a left-to-right RNN has not read yet and a bidirectional one has.

>>> sentences, labels = ner_dataset(3, seed=0)
>>> len(sentences), all(len(s) == len(y) for s, y in zip(sentences, labels))
(3, True)
>>> vocab = ner_vocabulary(sentences)
>>> x, y, mask = ner_arrays(sentences, labels, vocab)
>>> x.shape[0] == len(vocab), x.shape[1:] == y.shape == mask.shape
(True, True)

``names="held_out"`` draws people from a second, disjoint list of names, to test whether
a model recognises names it never saw (they become ``<UNK>``) from their context.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..vocab import Vocabulary
from .toy import one_hot, pad_sequences, rng_of

__all__ = ["FIRST_NAMES", "LAST_NAMES", "HELD_OUT_FIRST_NAMES", "HELD_OUT_LAST_NAMES", "AMBIGUOUS_WORDS",
           "NAME_TEMPLATES", "OTHER_TEMPLATES", "ner_dataset", "ner_vocabulary", "ner_arrays"]

#: first names that are also ordinary words (used by the templates as both)
_AMBIGUOUS_FIRST = ["rose", "hope", "will", "mark", "may", "bill"]
#: surnames that are also trades
_AMBIGUOUS_LAST = ["potter", "baker", "cook", "fisher", "hunter"]

FIRST_NAMES = ["harry", "hermione", "ron", "luna", "neville", "ginny", "albus", "minerva", "sirius",
               "remus", "fred", "percy", "arthur", "molly", "lily", "nora", "omar", "priya", "kenji",
               "sofia"] + _AMBIGUOUS_FIRST
LAST_NAMES = ["granger", "weasley", "lovegood", "longbottom", "dumbledore", "lupin", "diggory", "okafor",
              "tanaka", "kowalski", "novak", "rossi"] + _AMBIGUOUS_LAST
#: names of ``names="held_out"``: none of them is in FIRST_NAMES / LAST_NAMES or the templates
HELD_OUT_FIRST_NAMES = ["cedric", "viktor", "oliver", "fleur", "amara", "elena", "yusuf", "ingrid", "tariq",
                        "mei"]
HELD_OUT_LAST_NAMES = ["krum", "delacour", "nguyen", "silva", "patel", "dubois", "haddad", "moreau"]
#: words that are names in some sentences and ordinary words in others
AMBIGUOUS_WORDS = frozenset(_AMBIGUOUS_FIRST + _AMBIGUOUS_LAST)

_OBJECTS = ["spell", "book", "potion", "wand", "broom", "map", "cloak", "owl", "key", "letter", "scarf",
            "diary", "bowl", "bread"]
_PLACES = ["library", "kitchen", "forest", "tower", "garden", "village", "station", "market"]

#: templates with people: {p} is a person (first name, or first and last name)
NAME_TEMPLATES = [
    "{p} and {p} invented a new {o}",
    "{p} met {p} in the {l}",
    "yesterday {p} lost a {o}",
    "{p} wrote to {p} about the {o}",
    "{p} found a {o} in the {l}",
    "the {j} gave {p} a {o}",
    "{p} said that the {j} was late",
    "will {p} come to the {l} ?",
    "i hope {p} likes the {o}",
    "{p} will visit the {l} in may",
    "{p} and the {j} opened the {l}",
]
#: templates without people; {j} is a trade, some words are also first names
OTHER_TEMPLATES = [
    "the {j} made a {o} for the {l}",
    "the sun rose over the {l}",
    "rose petals covered the {l}",
    "hope kept the {l} warm",
    "will you bring the {o} ?",
    "mark the {o} on the map",
    "may i borrow the {o} ?",
    "bill the {j} for the {o}",
    "there is a mark on the {o}",
    "the {j} will sell the {o} in may",
]


def _person(rng: np.random.Generator, firsts: Sequence[str], lasts: Sequence[str]) -> list[str]:
    """A first name, followed by a last name in 3 cases out of 4."""
    words = [firsts[rng.integers(len(firsts))]]
    if rng.random() < 0.75:
        words.append(lasts[rng.integers(len(lasts))])
    return words


def _fill(template: str, rng: np.random.Generator, firsts, lasts) -> tuple[list[str], list[int]]:
    words: list[str] = []
    labels: list[int] = []
    for piece in template.split():
        if piece == "{p}":
            person = _person(rng, firsts, lasts)
            words += person
            labels += [1] * len(person)
            continue
        pool = {"{o}": _OBJECTS, "{l}": _PLACES, "{j}": _AMBIGUOUS_LAST}.get(piece)
        words.append(pool[rng.integers(len(pool))] if pool else piece)
        labels.append(0)
    return words, labels


def ner_dataset(n: int, seed=0, *, names: str = "train",
                p_people: float = 0.75) -> tuple[list[list[str]], list[list[int]]]:
    """n templated sentences and their name labels.

    Parameters
    ----------
    n : number of sentences.
    seed : int or :class:`numpy.random.Generator`.
    names : ``"train"`` (FIRST_NAMES, LAST_NAMES) or ``"held_out"`` (a disjoint list).
    p_people : probability that a sentence comes from a template with people.

    Returns
    -------
    sentences : list of n token lists (lower-case words).
    labels : list of n lists of 0/1, y^<t> = 1 for the words of a person's name.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int; got {n!r}")
    if names not in ("train", "held_out"):
        raise ValueError(f"names must be 'train' or 'held_out'; got {names!r}")
    if not 0.0 <= p_people <= 1.0:
        raise ValueError(f"p_people must lie in [0, 1]; got {p_people!r}")
    firsts, lasts = ((FIRST_NAMES, LAST_NAMES) if names == "train"
                     else (HELD_OUT_FIRST_NAMES, HELD_OUT_LAST_NAMES))
    rng = rng_of(seed)
    sentences, labels = [], []
    for _ in range(int(n)):
        pool = NAME_TEMPLATES if rng.random() < p_people else OTHER_TEMPLATES
        words, y = _fill(pool[rng.integers(len(pool))], rng, firsts, lasts)
        sentences.append(words)
        labels.append(y)
    return sentences, labels


def ner_vocabulary(sentences: Sequence[Sequence[str]], min_count: int = 1) -> Vocabulary:
    """The vocabulary of a corpus (with ``<UNK>`` at index 0), n_x = |V|."""
    return Vocabulary((w for s in sentences for w in s), min_count=min_count)


def ner_arrays(sentences: Sequence[Sequence[str]], labels: Sequence[Sequence[int]], vocab: Vocabulary, *,
               one_hot_inputs: bool = True, dtype=np.float64):
    """The course's arrays of a labelled corpus, padded to the longest sentence T_x.

    Returns ``(x, y, mask)``: x the one-hot inputs (n_x, m, T_x) with n_x = |V| (or the
    token ids (m, T_x) when ``one_hot_inputs=False``), y the labels (m, T_x) int64 and the
    mask (m, T_x), 0 on padding.
    """
    if len(sentences) != len(labels) or any(len(s) != len(y) for s, y in zip(sentences, labels)):
        raise ValueError("every sentence needs one label per word (T_y^(i) = T_x^(i))")
    ids, mask = vocab.encode_batch(sentences)
    y, _ = pad_sequences(labels, ids.shape[1])
    if not one_hot_inputs:
        return ids, y, mask
    return one_hot(ids, len(vocab), mask, dtype), y, mask
