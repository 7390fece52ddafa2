"""Generated time series (seeded): the Mackey–Glass series of chapter 7.

The Mackey–Glass delay differential equation (Mackey & Glass 1977)::

    dx/dt = β x(t − τ) / (1 + x(t − τ)^n) − γ x(t)

with the classic β = 0.2, γ = 0.1, n = 10 and delay τ = 17 is chaotic (mildly: its largest
Lyapunov exponent is about 0.006 per time unit), the standard benchmark of echo state
networks (Jaeger & Haas 2004).  It is integrated here with the classical fourth-order
Runge–Kutta method on a grid of step ``dt`` whose delay τ / dt is a whole number of steps;
the delayed value at a half step is the mean of its two grid neighbours.  The history
x(t) for −τ ≤ t ≤ 0 is ``x0`` plus small seeded noise, so each seed gives another
trajectory on the same attractor.  Nothing is downloaded: the series is computed.
"""
from __future__ import annotations

import numpy as np

__all__ = ["mackey_glass", "MACKEY_GLASS_DEFAULTS"]

#: The classic parameters of the chaotic Mackey–Glass series.
MACKEY_GLASS_DEFAULTS = {"tau": 17.0, "beta": 0.2, "gamma": 0.1, "n": 10.0}


def _positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    return float(value)


def _steps(value: float, dt: float, name: str) -> int:
    """value / dt as a whole number of integration steps (ValueError if it is not one)."""
    steps = round(value / dt)
    if steps < 1 or abs(steps * dt - value) > 1e-9 * max(1.0, value):
        raise ValueError(f"{name} = {value} must be a positive multiple of the step dt = {dt}")
    return steps


def _rate(x_now: float, x_delayed: float, beta: float, gamma: float, n: float) -> float:
    """dx/dt = β x(t − τ) / (1 + x(t − τ)^n) − γ x(t)."""
    return beta * x_delayed / (1.0 + x_delayed ** n) - gamma * x_now


def mackey_glass(n_samples: int, *, tau: float = 17.0, beta: float = 0.2, gamma: float = 0.1,
                 n: float = 10.0, dt: float = 0.1, sample_step: float = 1.0, transient: float = 500.0,
                 x0: float = 1.2, noise: float = 0.01, seed=0, dtype=np.float64) -> np.ndarray:
    """``n_samples`` values of the Mackey–Glass series, one every ``sample_step`` time units.

    dx/dt = β x(t − τ) / (1 + x(t − τ)^n) − γ x(t), integrated by RK4 with step ``dt``
    from the history x(t) = x0 + noise·N(0, 1) (seeded) on −τ ≤ t ≤ 0; the first
    ``transient`` time units are dropped so the series lies on the attractor.

    Parameters
    ----------
    n_samples : number of values returned.
    tau, beta, gamma, n : the equation's delay τ and constants (defaults: the chaotic τ = 17).
    dt : integration step; τ, ``sample_step`` and ``transient`` must be multiples of it.
    sample_step : time between two returned values.
    transient : time integrated and dropped before the first returned value (may be 0).
    x0, noise : the initial history, x0 plus ``noise`` times standard normal noise.
    seed : int or :class:`numpy.random.Generator` for that noise.
    dtype : float32 or float64 (the integration itself runs in float64).

    Returns
    -------
    (n_samples,) array: x(transient), x(transient + sample_step), …
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive int; got {n_samples!r}")
    dt = _positive(dt, "dt")
    tau, beta, gamma, n = (_positive(v, k) for v, k in ((tau, "tau"), (beta, "beta"), (gamma, "gamma"), (n, "n")))
    x0 = _positive(x0, "x0")
    if isinstance(noise, bool) or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number ≥ 0; got {noise!r}")
    if isinstance(transient, bool) or not np.isfinite(transient) or transient < 0:
        raise ValueError(f"transient must be a finite number ≥ 0; got {transient!r}")
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64; got {dtype}")
    delay = _steps(tau, dt, "tau")
    every = _steps(_positive(sample_step, "sample_step"), dt, "sample_step")
    skip = 0 if transient == 0 else _steps(float(transient), dt, "transient")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    history = x0 + float(noise) * rng.standard_normal(delay + 1)
    series = _integrate(history, skip + (n_samples - 1) * every, dt, beta, gamma, n)
    return series[skip::every][:n_samples].astype(dtype)


def _integrate(history: np.ndarray, n_steps: int, dt: float, beta: float, gamma: float,
               n: float) -> np.ndarray:
    """x at t = 0, dt, …, n_steps·dt by RK4; ``history`` holds x at t = −τ, …, 0 (τ/dt + 1 values)."""
    delay = len(history) - 1
    x = [float(v) for v in history] + [0.0] * n_steps
    for i in range(delay, delay + n_steps):  # x[i] is x(t); x[i - delay] is x(t − τ)
        lag0, lag1 = x[i - delay], x[i - delay + 1]
        lag_half = 0.5 * (lag0 + lag1)
        xi = x[i]
        k1 = _rate(xi, lag0, beta, gamma, n)
        k2 = _rate(xi + 0.5 * dt * k1, lag_half, beta, gamma, n)
        k3 = _rate(xi + 0.5 * dt * k2, lag_half, beta, gamma, n)
        k4 = _rate(xi + dt * k3, lag1, beta, gamma, n)
        x[i + 1] = xi + dt * (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0
    return np.asarray(x[delay:], dtype=np.float64)
