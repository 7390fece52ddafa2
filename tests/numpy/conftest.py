"""Shared fixtures of the NumPy tests: a seeded generator and random parameter dictionaries."""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pytest


def _random_parameters(shapes: Mapping[str, tuple[int, ...]], rng: np.random.Generator,
                       dtype=np.float64, scale: float = 0.5) -> dict[str, np.ndarray]:
    """{key: scale · N(0, 1) array of shapes[key]} in ``dtype`` (biases random too, so they are tested)."""
    return {k: (scale * rng.standard_normal(shape)).astype(dtype) for k, shape in shapes.items()}


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with a fixed seed for every test."""
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def random_parameters():
    """The function ``random_parameters(shapes, rng, dtype=np.float64, scale=0.5)``.

    ``shapes`` maps parameter keys to concrete shapes, e.g.
    ``{"Wax": (n_a, n_x), "Waa": (n_a, n_a), "ba": (n_a, 1)}``.  Session-scoped and
    stateless, so it is safe inside hypothesis tests.
    """
    return _random_parameters
