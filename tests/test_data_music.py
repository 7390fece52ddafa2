"""seqlab.data.music: melodies in C major and C minor."""
from __future__ import annotations

import numpy as np
import pytest

from seqlab.data.music import MODES, NOTES, SCALES, melody_dataset, melody_rules, note_names


def test_melodies_follow_the_rules_of_their_mode():
    melodies, modes = melody_dataset(300, length=16, seed=0)
    assert len(melodies) == len(modes) == 300 and set(modes) == {0, 1}
    for melody, mode in zip(melodies, modes):
        assert len(melody) == 16
        assert melody_rules(melody, mode) == {"in_scale": 1.0, "small_steps": 1.0, "starts_on_tonic": 1.0,
                                              "ends_on_tonic": 1.0}
    # the modes differ: every minor melody with an E, A or B would break the rule
    minor = [m for m, mode in zip(melodies, modes) if mode == 1]
    assert all(not {4, 9, 11} & set(m) for m in minor)
    assert np.mean([melody_rules(m, 0)["in_scale"] < 1 for m in minor]) > 0.8


def test_rules_detect_violations():
    rules = melody_rules([0, 1, 2, 12, 4], 0)  # C4 C#4 D4 C5 E4
    assert rules["in_scale"] == pytest.approx(4 / 5)
    assert rules["small_steps"] == 0.0  # D4 -> C5 and C5 -> E4 jump more than two degrees
    assert rules["starts_on_tonic"] == 1.0 and rules["ends_on_tonic"] == 0.0
    assert melody_rules([1, 1], 0)["small_steps"] == 0.0
    with pytest.raises(ValueError):
        melody_rules([0, 13], 0)
    with pytest.raises(ValueError):
        melody_rules([0], 2)


def test_names_scales_and_arguments():
    assert note_names([0, 4, 7, 12]) == ["C4", "E4", "G4", "C5"]
    assert len(NOTES) == 13 and MODES == ("major", "minor")
    assert all(len(s) == 8 and s[0] == 0 and s[-1] == 12 for s in SCALES.values())
    assert melody_dataset(5, seed=3) == melody_dataset(5, seed=3)
    for melody in melody_dataset(20, length=2, seed=1)[0]:
        assert melody == [0, 0]
    with pytest.raises(ValueError):
        melody_dataset(0)
    with pytest.raises(ValueError):
        melody_dataset(3, length=1)
