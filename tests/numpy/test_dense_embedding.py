"""Time-distributed dense layer and embedding: equations, gradients, checks."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from seqlab.numpy import (dense_backward, dense_forward, embedding_backward, embedding_forward,
                          gradient_check)

TOL = 1e-7


# ----------------------------------------------------------------- dense
def test_dense_forward_is_per_step_equation(rng, random_parameters):
    p = random_parameters({"Wya": (3, 4), "by": (3, 1)}, rng)
    a = rng.standard_normal((4, 2, 5))
    z, cache = dense_forward(a, p)
    assert z.shape == (3, 2, 5)
    for t in range(5):
        np.testing.assert_allclose(z[:, :, t], p["Wya"] @ a[:, :, t] + p["by"], rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("key", ["Wya", "Wy"])
@pytest.mark.parametrize("T", [None, 3])
def test_dense_gradcheck(key, T, rng, random_parameters):
    p = random_parameters({key: (3, 4), "by": (3, 1)}, rng)
    a = rng.standard_normal((4, 2) if T is None else (4, 2, T))
    z, cache = dense_forward(a, p)
    dz = rng.standard_normal(z.shape)
    grads = dense_backward(dz, cache)
    assert set(grads) == {"da", "d" + key, "dby"}
    errors = gradient_check(lambda: np.sum(dz * dense_forward(a, p)[0]),
                            {"da": a, "d" + key: p[key], "dby": p["by"]}, grads)
    assert max(errors.values()) <= TOL, errors


@settings(max_examples=15, deadline=None)
@given(n_a=st.integers(1, 4), n_y=st.integers(1, 4), m=st.integers(1, 3), T=st.integers(1, 3),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16))
@example(n_a=1, n_y=1, m=1, T=1, dtype=np.float32, seed=0)
def test_dense_property(n_a, n_y, m, T, dtype, seed, random_parameters):
    rng = np.random.default_rng(seed)
    p = random_parameters({"Wya": (n_y, n_a), "by": (n_y, 1)}, rng, dtype)
    a = rng.standard_normal((n_a, m, T)).astype(dtype)
    z, cache = dense_forward(a, p)
    assert z.shape == (n_y, m, T) and z.dtype == dtype
    g = dense_backward(np.ones_like(z), cache)
    assert g["da"].shape == a.shape and g["dWya"].shape == (n_y, n_a) and g["dby"].shape == (n_y, 1)
    assert all(v.dtype == dtype for v in g.values())
    np.testing.assert_allclose(g["dby"], m * T, rtol=1e-6)  # db_y = Σ_t Σ_batch dz


def test_dense_errors(rng, random_parameters):
    p = random_parameters({"Wya": (3, 4), "by": (3, 1)}, rng)
    a = rng.standard_normal((4, 2, 5))
    with pytest.raises(ValueError, match=re.escape("W_ya must be (n_y, n_a) = (3, 5); got (3, 4)")):
        dense_forward(rng.standard_normal((5, 2, 5)), p)
    with pytest.raises(ValueError, match="exactly one of 'Wya'"):
        dense_forward(a, {**p, "Wy": p["Wya"]})
    with pytest.raises(ValueError, match=re.escape("missing 'by' (b_y)")):
        dense_forward(a, {"Wya": p["Wya"]})
    with pytest.raises(TypeError, match="parameters must be a dict"):
        dense_forward(a, None)
    with pytest.raises(TypeError, match="W_ya is float32 but the other arrays are float64"):
        dense_forward(a, {**p, "Wya": p["Wya"].astype(np.float32)})
    with pytest.raises(ValueError, match=re.escape("b_y must be (n_y, 1) = (3, 1); got (1, 3)")):
        dense_forward(a, {**p, "by": p["by"].T})
    with pytest.raises(ValueError, match="a contains NaN"):
        dense_forward(np.full_like(a, np.nan), p)
    z, cache = dense_forward(a, p)
    with pytest.raises(ValueError, match=re.escape("dL/dz must be (n_y, m, T_x) = (3, 2, 5); got (3, 2, 4)")):
        dense_backward(z[:, :, :4], cache)
    with pytest.raises(TypeError, match="cache must be the tuple returned by dense_forward"):
        dense_backward(z, cache[:2])


# ----------------------------------------------------------------- embedding
def test_embedding_forward_is_E_times_one_hot(rng):
    E = rng.standard_normal((3, 6))
    ids = np.array([[0, 5, 5], [2, 1, 0]])
    e, cache = embedding_forward(ids, E)
    assert e.shape == (3, 2, 3)
    for i in range(2):
        for t in range(3):
            np.testing.assert_array_equal(e[:, i, t], E @ np.eye(6)[ids[i, t]])


def test_embedding_gradcheck_and_repeated_ids(rng):
    E = rng.standard_normal((3, 6))
    ids = np.array([[0, 5, 5, 3], [2, 5, 0, 3]])
    e, cache = embedding_forward(ids, E)
    de = rng.standard_normal(e.shape)
    dE = embedding_backward(de, cache)
    err = gradient_check(lambda: np.sum(de * embedding_forward(ids, E)[0]), {"E": E}, {"E": dE})["E"]
    assert err <= TOL
    np.testing.assert_allclose(dE[:, 5], de[:, 0, 1] + de[:, 0, 2] + de[:, 1, 1], rtol=1e-14)
    np.testing.assert_array_equal(dE[:, 4], 0.0)  # never used


@settings(max_examples=15, deadline=None)
@given(n_e=st.integers(1, 4), V=st.integers(1, 5), m=st.integers(1, 3), T=st.integers(1, 3),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16))
@example(n_e=1, V=1, m=1, T=1, dtype=np.float64, seed=0)
def test_embedding_property(n_e, V, m, T, dtype, seed):
    rng = np.random.default_rng(seed)
    E = rng.standard_normal((n_e, V)).astype(dtype)
    ids = rng.integers(0, V, (m, T))
    e, cache = embedding_forward(ids, E)
    assert e.shape == (n_e, m, T) and e.dtype == dtype
    dE = embedding_backward(np.ones_like(e), cache)
    assert dE.dtype == dtype and dE.shape == E.shape
    # with de = 1, column j of dE counts how often token j occurs
    np.testing.assert_array_equal(dE[0], np.bincount(ids.ravel(), minlength=V))


def test_embedding_single_step(rng):
    E = rng.standard_normal((2, 4))
    e, cache = embedding_forward(np.array([3, 0, 3]), E)
    assert e.shape == (2, 3)
    dE = embedding_backward(np.ones((2, 3)), cache)
    np.testing.assert_array_equal(dE, [[1, 0, 0, 2], [1, 0, 0, 2]])


def test_embedding_errors(rng):
    E = rng.standard_normal((2, 4))
    with pytest.raises(TypeError, match=re.escape("token ids must be an integer numpy array of shape (m, T_x); got float64")):
        embedding_forward(np.zeros((2, 3)), E)
    with pytest.raises(TypeError, match="got list"):
        embedding_forward([[0, 1]], E)
    with pytest.raises(ValueError, match=re.escape("token ids must lie in 0 … |V| − 1 = 3; got values in 0 … 4")):
        embedding_forward(np.array([[0, 4]]), E)
    with pytest.raises(ValueError, match=re.escape("token ids must lie in 0 … |V| − 1 = 3; got values in -1 … 1")):
        embedding_forward(np.array([[-1, 1]]), E)
    with pytest.raises(TypeError, match="embedding matrix E must be a float32 or float64 array"):
        embedding_forward(np.array([[0]]), E.astype(int))
    e, cache = embedding_forward(np.array([[0, 1, 2]]), E)
    with pytest.raises(ValueError, match=re.escape("dL/de must be (n_e,) + ids.shape = (2, 1, 3); got (2, 3)")):
        embedding_backward(np.ones((2, 3)), cache)
    with pytest.raises(TypeError, match="dL/de is float32 but the other arrays are float64"):
        embedding_backward(np.ones((2, 1, 3), np.float32), cache)
    with pytest.raises(TypeError, match="cache must be the pair"):
        embedding_backward(e, (cache,))
