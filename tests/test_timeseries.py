"""seqlab.data.timeseries: the Mackey–Glass series, integrated by RK4 and seeded."""
from __future__ import annotations

import numpy as np
import pytest

from seqlab.data.timeseries import MACKEY_GLASS_DEFAULTS, mackey_glass


def test_shape_dtype_and_range_of_the_chaotic_series():
    s = mackey_glass(1500)
    assert s.shape == (1500,) and s.dtype == np.float64
    # the tau = 17 attractor stays in about [0.4, 1.35] with mean about 0.9
    assert 0.35 < s.min() < 0.5 and 1.2 < s.max() < 1.4
    assert 0.85 < s.mean() < 1.0
    assert mackey_glass(10, dtype=np.float32).dtype == np.float32
    assert MACKEY_GLASS_DEFAULTS["tau"] == 17.0


def test_seeded_and_reproducible():
    a, b = mackey_glass(200, seed=3), mackey_glass(200, seed=3)
    assert np.array_equal(a, b)
    c = mackey_glass(200, seed=4)
    assert not np.allclose(a, c)
    rng = np.random.default_rng(3)
    assert np.array_equal(mackey_glass(200, seed=rng), a)


def test_sampling_and_transient_cut_one_trajectory():
    fine = mackey_glass(41, sample_step=0.5, transient=100, seed=1)
    coarse = mackey_glass(21, sample_step=1.0, transient=100, seed=1)
    assert np.allclose(fine[::2], coarse)
    late = mackey_glass(11, sample_step=1.0, transient=110, seed=1)
    assert np.allclose(late, coarse[10:])


def test_fixed_point_without_noise_for_a_short_delay():
    # with a short delay the equation has the stable fixed point x* = (beta/gamma - 1)^(1/n)
    s = mackey_glass(5, tau=2.0, transient=800, noise=0.0)
    x_star = (0.2 / 0.1 - 1) ** (1 / 10)
    assert np.allclose(s, x_star, atol=1e-6)


def test_rk4_matches_a_finer_step():
    coarse = mackey_glass(60, dt=0.1, transient=0, noise=0.0)
    fine = mackey_glass(60, dt=0.05, transient=0, noise=0.0)
    assert np.max(np.abs(coarse - fine)) < 1e-4


def test_the_series_is_sensitive_to_initial_conditions():
    # chaos: a difference of 1e-9 in the history grows by orders of magnitude
    a = mackey_glass(3000, transient=0, noise=0.0, x0=1.2)
    b = mackey_glass(3000, transient=0, noise=0.0, x0=1.2 + 1e-9)
    assert np.max(np.abs(a[:20] - b[:20])) < 1e-8
    assert np.max(np.abs(a[-500:] - b[-500:])) > 1e-5


@pytest.mark.parametrize("kwargs", [
    {"n_samples": 0}, {"n_samples": 2.5}, {"n_samples": True}, {"dt": 0.0}, {"tau": -1.0},
    {"tau": 17.05}, {"sample_step": 0.25, "dt": 0.1}, {"transient": -1.0}, {"noise": -0.1},
    {"x0": 0.0}, {"beta": float("nan")},
])
def test_bad_arguments(kwargs):
    args = {"n_samples": 10, **kwargs}
    with pytest.raises(ValueError):
        mackey_glass(**args)


def test_bad_dtype():
    with pytest.raises(TypeError):
        mackey_glass(10, dtype=np.int64)
