"""A generated corpus of short melodies in C major and C minor (chapter 5, one-to-many).

A melody is a sequence of T_y notes from the 13 pitches C4 … C5 (index 0 = C4, 12 = C5,
one per semitone).  It is a random walk on the degrees of its scale -- steps of one or two
degrees, mostly one -- that starts on the tonic C4 and ends on a tonic (C4 or C5).  The
*mode* (0 = major, 1 = minor) chooses the scale: C major uses E, A, B; C minor uses E♭,
A♭, B♭ instead.  A music-generation model receives only the mode (T_x = 1) and writes the
notes; :func:`melody_rules` measures how well generated melodies follow the corpus' rules.

>>> melodies, modes = melody_dataset(2, length=8, seed=0)
>>> [note_names(m)[0] for m in melodies], [m[-1] in (0, 12) for m in melodies]
(['C4', 'C4'], [True, True])
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .toy import rng_of

__all__ = ["NOTES", "MODES", "SCALES", "melody_dataset", "note_names", "melody_rules"]

#: the 13 pitches of the corpus, by index
NOTES = ["C4", "C#4", "D4", "Eb4", "E4", "F4", "F#4", "G4", "Ab4", "A4", "Bb4", "B4", "C5"]
#: mode index -> name
MODES = ("major", "minor")
#: semitones above C4 of the 8 scale degrees (C4 … C5) of each mode
SCALES = {"major": (0, 2, 4, 5, 7, 9, 11, 12), "minor": (0, 2, 3, 5, 7, 8, 10, 12)}

_STEPS = np.array([-2, -1, 1, 2])
_STEP_P = np.array([0.15, 0.35, 0.35, 0.15])


def _walk(rng: np.random.Generator, length: int) -> list[int]:
    """Scale degrees 0 … 7: start on 0, steps of ±1 or ±2 reflected at the ends, end on 0 or 7.

    A walk whose next-to-last degree is more than two degrees from both tonics (3 or 4) is
    drawn again, so that the last move is a small step too.
    """
    while True:
        degrees = [0]
        for _ in range(length - 2):
            step = int(rng.choice(_STEPS, p=_STEP_P))
            d = degrees[-1] + step
            degrees.append(d if 0 <= d <= 7 else degrees[-1] - step)
        if degrees[-1] <= 2 or degrees[-1] >= 5:
            return degrees + [0 if degrees[-1] <= 2 else 7]


def melody_dataset(n: int, length: int = 16, seed=0) -> tuple[list[list[int]], list[int]]:
    """n melodies of ``length`` notes and their modes (0 major, 1 minor, each with probability 1/2).

    Returns ``(melodies, modes)``: lists of note indices into :data:`NOTES`, and mode indices.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int; got {n!r}")
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 2:
        raise ValueError(f"length must be an int ≥ 2 (start and end on the tonic); got {length!r}")
    rng = rng_of(seed)
    melodies, modes = [], []
    for _ in range(int(n)):
        mode = int(rng.integers(2))
        scale = SCALES[MODES[mode]]
        melodies.append([scale[d] for d in _walk(rng, int(length))])
        modes.append(mode)
    return melodies, modes


def note_names(melody: Sequence[int]) -> list[str]:
    """Note indices as names: [0, 4, 7] -> ['C4', 'E4', 'G4']."""
    return [NOTES[int(k)] for k in melody]


def melody_rules(melody: Sequence[int], mode: int) -> dict[str, float]:
    """How well a melody follows the corpus' rules for ``mode``.

    Returns the fraction of notes in the scale (``in_scale``), the fraction of moves of at
    most two scale degrees between in-scale notes (``small_steps``), and whether it starts
    and ends on a tonic (``starts_on_tonic``, ``ends_on_tonic``, 0.0 or 1.0).
    """
    if mode not in (0, 1):
        raise ValueError(f"mode must be 0 (major) or 1 (minor); got {mode!r}")
    melody = [int(k) for k in melody]
    if not melody or min(melody) < 0 or max(melody) >= len(NOTES):
        raise ValueError(f"a melody is a non-empty list of note indices 0 … {len(NOTES) - 1}")
    scale = SCALES[MODES[mode]]
    degree = {s: d for d, s in enumerate(scale)}
    pairs = [(a, b) for a, b in zip(melody, melody[1:]) if a in degree and b in degree]
    return {
        "in_scale": float(np.mean([k in degree for k in melody])),
        "small_steps": float(np.mean([abs(degree[a] - degree[b]) <= 2 for a, b in pairs])) if pairs else 0.0,
        "starts_on_tonic": float(melody[0] == 0),
        "ends_on_tonic": float(melody[-1] in (0, 12)),
    }
