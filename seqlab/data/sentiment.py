"""Templated movie reviews labelled positive (1) or negative (0) (chapter 5, many-to-one).

A review is a short sentence x^<1> … x^<T_x> and its target a single label (T_y = 1).
Some reviews are negated: "the acting was not good" is negative and "not bad at all" is
positive, so the label depends on the order of the words, not only on which words occur.

>>> sentences, labels = sentiment_dataset(4, seed=1)
>>> [len(s) > 0 for s in sentences], set(labels) <= {0, 1}
([True, True, True, True], True)
"""
from __future__ import annotations

import numpy as np

from .toy import rng_of

__all__ = ["POSITIVE_WORDS", "NEGATIVE_WORDS", "sentiment_dataset", "is_negated"]

POSITIVE_WORDS = ["good", "great", "wonderful", "funny", "moving", "brilliant", "charming"]
NEGATIVE_WORDS = ["bad", "boring", "awful", "dull", "terrible", "silly", "weak"]
_SUBJECTS = ["the movie", "the film", "the acting", "the story", "the music", "the ending", "the plot"]
_INTENSIFIERS = ["", "", "really", "very", "truly"]
# (base form, past tense)
_VERBS_POS = [("love", "loved"), ("like", "liked"), ("enjoy", "enjoyed")]
_VERBS_NEG = [("hate", "hated"), ("dislike", "disliked")]

# {s} subject, {i} optional intensifier, {a} adjective of the sentence's polarity
_PLAIN = ["{s} was {i} {a}", "a {i} {a} movie", "{s} is {i} {a} .", "what a {a} film"]
# {a} has the opposite polarity of the label: the negation flips it
_NEGATED = ["{s} was not {i} {a}", "{s} is not {a} at all", "not {a} at all", "{s} was never {a}"]
_VERB_TEMPLATES = ["i {past} this movie", "we {past} {s}", "i {base} it ."]
_VERB_NEGATED = ["i did not {base} this movie", "we did not {base} {s}", "i do not {base} it ."]


def _pick(rng: np.random.Generator, items: list[str]) -> str:
    return items[rng.integers(len(items))]


def _review(rng: np.random.Generator, label: int, negate: bool) -> list[str]:
    """One review of the given polarity; with ``negate`` the sentence says "not" + the opposite."""
    shown = label if not negate else 1 - label  # polarity of the word that is written
    if rng.random() < 0.25:
        template = _pick(rng, _VERB_NEGATED if negate else _VERB_TEMPLATES)
        verbs = _VERBS_POS if shown else _VERBS_NEG
        base, past = verbs[rng.integers(len(verbs))]
        text = template.format(base=base, past=past, s=_pick(rng, _SUBJECTS))
    else:
        template = _pick(rng, _NEGATED if negate else _PLAIN)
        adjective = _pick(rng, POSITIVE_WORDS if shown else NEGATIVE_WORDS)
        text = template.format(s=_pick(rng, _SUBJECTS), i=_pick(rng, _INTENSIFIERS), a=adjective)
    return text.split()


def sentiment_dataset(n: int, seed=0, *, p_negated: float = 0.3) -> tuple[list[list[str]], list[int]]:
    """n reviews (token lists) and their labels (1 positive, 0 negative, each with probability 1/2).

    A fraction ``p_negated`` of the reviews is negated ("was not good", "did not like"),
    which flips the polarity of the sentiment word they contain.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int; got {n!r}")
    if not 0.0 <= p_negated <= 1.0:
        raise ValueError(f"p_negated must lie in [0, 1]; got {p_negated!r}")
    rng = rng_of(seed)
    sentences, labels = [], []
    for _ in range(int(n)):
        label = int(rng.integers(2))
        sentences.append(_review(rng, label, bool(rng.random() < p_negated)))
        labels.append(label)
    return sentences, labels


def is_negated(sentence: list[str]) -> bool:
    """True when the review contains a negation word ("not", "never")."""
    return any(w in ("not", "never") for w in sentence)
