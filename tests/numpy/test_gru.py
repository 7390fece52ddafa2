"""The GRU of seqlab.numpy: all three variants, cell and sequence, forward and backward."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlab.numpy import (GRU_PARAMETER_SHAPES, GRU_VARIANTS, gradient_check, gru_backward, gru_cell_backward,
                          gru_cell_forward, gru_forward, numerical_gradient, softmax)

TOL = 1e-7


def make_parameters(variant, n_x, n_a, rng, n_y=None, dtype=np.float64, scale=0.5):
    """Random W_* (n_a, n_a + n_x) and b_* (n_a, 1) of ``variant`` (plus W_y, b_y for n_y)."""
    shapes = {k: (n_a, n_a + n_x) if k.startswith("W") else (n_a, 1) for k in GRU_PARAMETER_SHAPES[variant]}
    if n_y is not None:
        shapes.update(Wy=(n_y, n_a), by=(n_y, 1))
    return {k: (scale * rng.standard_normal(s)).astype(dtype) for k, s in shapes.items()}


def weight_grads(grads):
    return {k: v for k, v in grads.items() if k.startswith(("dW", "db"))}


def assert_gradcheck(f, arrays, grads, small=0.0):
    """Relative error of every gradient against central differences ≤ TOL.

    ε = 1e-5 keeps the rounding error of the central difference (~1e-16 |L| / ε) well below
    1e-7 of the gradients.  In the property tests (``small`` > 0) a gradient whose norm is
    below ``small`` — random shapes and seeds make some vanishingly small, and there the
    difference quotient is mostly rounding — is held to an absolute error of 1e-9 instead.
    """
    errors = gradient_check(f, arrays, grads, eps=1e-5)
    bad = {}
    for k, e in errors.items():
        if e <= TOL:
            continue
        if np.linalg.norm(grads[k]) < small:
            if np.max(np.abs(numerical_gradient(f, arrays[k], 1e-5) - grads[k])) <= 1e-9:
                continue
        bad[k] = e
    assert not bad, f"relative errors above {TOL}: {bad}"


# --------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("variant", GRU_VARIANTS)
def test_cell_backward_matches_central_differences(variant):
    rng = np.random.default_rng(1)
    n_x, n_a, m = 3, 4, 2
    p = make_parameters(variant, n_x, n_a, rng)
    xt, c_prev = rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m))
    dc = rng.standard_normal((n_a, m))
    _, _, cache = gru_cell_forward(xt, c_prev, p, variant)
    grads = gru_cell_backward(dc, cache)
    expected_keys = {"dxt", "dc_prev"} | {"d" + k for k in GRU_PARAMETER_SHAPES[variant]}
    assert set(grads) == expected_keys

    def loss():
        return np.sum(dc * gru_cell_forward(xt, c_prev, p, variant)[0])

    arrays = {"dxt": xt, "dc_prev": c_prev, **{"d" + k: v for k, v in p.items()}}
    assert_gradcheck(loss, arrays, grads)


@pytest.mark.parametrize("variant", GRU_VARIANTS)
def test_sequence_backward_matches_central_differences(variant):
    rng = np.random.default_rng(2)
    n_x, n_a, m, T_x = 3, 4, 2, 4
    p = make_parameters(variant, n_x, n_a, rng)
    x, c0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m))
    dc = rng.standard_normal((n_a, m, T_x))
    _, _, caches = gru_forward(x, c0, p, variant)
    grads = gru_backward(dc, caches)
    assert set(grads) == {"dx", "dc0"} | {"d" + k for k in GRU_PARAMETER_SHAPES[variant]}

    def loss():
        return np.sum(dc * gru_forward(x, c0, p, variant)[0])

    assert_gradcheck(loss, {"dx": x, "dc0": c0, **{"d" + k: v for k, v in p.items()}}, grads)


@pytest.mark.parametrize("variant", GRU_VARIANTS)
def test_sequence_equals_a_loop_of_cells(variant):
    """Fused sequence forward/backward == the cell functions stepped by hand over the caches."""
    rng = np.random.default_rng(3)
    n_x, n_a, n_y, m, T_x = 3, 5, 2, 4, 6
    p = make_parameters(variant, n_x, n_a, rng, n_y=n_y)
    x, c0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m))
    c, y, caches = gru_forward(x, c0, p, variant)
    c_prev = c0
    for t in range(T_x):
        c_prev, yt, _ = gru_cell_forward(x[:, :, t], c_prev, p, variant)
        np.testing.assert_allclose(c[:, :, t], c_prev, rtol=0, atol=1e-13)
        np.testing.assert_allclose(y[:, :, t], yt, rtol=0, atol=1e-13)

    dc = rng.standard_normal((n_a, m, T_x))
    fast = gru_backward(dc, caches)
    cell_caches, x_cached = caches
    assert x_cached is x and len(cell_caches) == T_x
    total = {k: np.zeros_like(v) for k, v in weight_grads(fast).items()}
    dx = np.zeros_like(x)
    dc_next = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        step = gru_cell_backward(dc[:, :, t] + dc_next, cell_caches[t])
        dc_next, dx[:, :, t] = step["dc_prev"], step["dxt"]
        for k in total:
            total[k] += step[k]
    np.testing.assert_allclose(dx, fast["dx"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(dc_next, fast["dc0"], rtol=0, atol=1e-12)
    for k in total:
        np.testing.assert_allclose(total[k], fast[k], rtol=0, atol=1e-12, err_msg=k)


# --------------------------------------------------------------------------- equations
def test_equations_of_each_variant_written_out():
    rng = np.random.default_rng(4)
    n_x, n_a, m = 2, 3, 4
    xt, c_prev = rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m))
    p = make_parameters("reset_after", n_x, n_a, rng)
    s = np.vstack([c_prev, xt])
    gu = 1 / (1 + np.exp(-(p["Wu"] @ s + p["bu"])))
    gr = 1 / (1 + np.exp(-(p["Wr"] @ s + p["br"])))
    ct = {"simplified": np.tanh(p["Wc"] @ s + p["bc"]),
          "full": np.tanh(p["Wc"] @ np.vstack([gr * c_prev, xt]) + p["bc"]),
          "reset_after": np.tanh(p["Wc"][:, n_a:] @ xt + p["bc"] + gr * (p["Wc"][:, :n_a] @ c_prev + p["bca"]))}
    for variant in GRU_VARIANTS:
        c_next, yt, _ = gru_cell_forward(xt, c_prev, p, variant)
        assert yt is None
        np.testing.assert_allclose(c_next, gu * ct[variant] + (1 - gu) * c_prev, rtol=1e-13, atol=1e-14)


def test_reset_after_is_the_torch_gru_computation():
    """torch.nn.GRU's r, z, n written in NumPy with W_u, b_u negated (z = 1 − Γ_u), two biases."""
    rng = np.random.default_rng(5)
    n_x, n_a, m = 3, 4, 5
    W_ir, W_iz, W_in = (rng.standard_normal((n_a, n_x)) for _ in range(3))
    W_hr, W_hz, W_hn = (rng.standard_normal((n_a, n_a)) for _ in range(3))
    b_ir, b_iz, b_in, b_hr, b_hz, b_hn = (rng.standard_normal((n_a, 1)) for _ in range(6))
    x, h = rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m))
    r = 1 / (1 + np.exp(-(W_ir @ x + b_ir + W_hr @ h + b_hr)))
    z = 1 / (1 + np.exp(-(W_iz @ x + b_iz + W_hz @ h + b_hz)))
    n = np.tanh(W_in @ x + b_in + r * (W_hn @ h + b_hn))
    h_torch = (1 - z) * n + z * h
    p = {"Wr": np.hstack([W_hr, W_ir]), "br": b_ir + b_hr,
         "Wu": -np.hstack([W_hz, W_iz]), "bu": -(b_iz + b_hz),
         "Wc": np.hstack([W_hn, W_in]), "bc": b_in, "bca": b_hn}
    c_next, _, cache = gru_cell_forward(x, h, p, "reset_after")
    np.testing.assert_allclose(c_next, h_torch, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(cache[4], 1 - z, rtol=1e-13, atol=1e-14)   # Γ_u = 1 − z


def test_reset_after_equals_full_when_the_relevance_gate_is_open():
    """With Γ_r = 1 and b_ca = 0 the two placements of Γ_r give the same c̃."""
    rng = np.random.default_rng(6)
    p = make_parameters("reset_after", 2, 3, rng)
    p["br"][:] = 60.0
    p["bca"][:] = 0.0
    x, c0 = rng.standard_normal((2, 4, 5)), rng.standard_normal((3, 4))
    np.testing.assert_allclose(gru_forward(x, c0, p, "reset_after")[0], gru_forward(x, c0, p, "full")[0],
                               rtol=0, atol=1e-14)


@pytest.mark.parametrize("variant", GRU_VARIANTS)
def test_saturated_update_gate(variant):
    """Γ_u = 1 copies c̃^<t> into c^<t>; Γ_u = 0 keeps c^<t-1> (and passes its gradient through)."""
    rng = np.random.default_rng(7)
    n_x, n_a, m = 2, 3, 4
    p = make_parameters(variant, n_x, n_a, rng)
    xt, c_prev = rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m))
    p["bu"][:] = 60.0
    c_next, _, cache = gru_cell_forward(xt, c_prev, p, variant)
    np.testing.assert_array_equal(cache[4], 1.0)
    np.testing.assert_array_equal(c_next, cache[3])          # c^<t> = c̃^<t>
    if variant == "simplified":
        np.testing.assert_allclose(c_next, np.tanh(p["Wc"] @ np.vstack([c_prev, xt]) + p["bc"]), atol=1e-15)

    p["bu"][:] = -60.0
    c_next, _, cache = gru_cell_forward(xt, c_prev, p, variant)
    np.testing.assert_allclose(c_next, c_prev, rtol=0, atol=1e-20)
    dc = rng.standard_normal((n_a, m))
    grads = gru_cell_backward(dc, cache)
    np.testing.assert_allclose(grads["dc_prev"], dc, rtol=0, atol=1e-20)
    np.testing.assert_allclose(grads["dxt"], 0.0, rtol=0, atol=1e-20)


def test_saturated_update_gate_keeps_the_memory_over_a_sequence():
    rng = np.random.default_rng(8)
    p = make_parameters("simplified", 2, 3, rng)
    p["bu"][:] = -60.0
    x, c0 = rng.standard_normal((2, 4, 7)), rng.standard_normal((3, 4))
    c, _, caches = gru_forward(x, c0, p, "simplified")
    np.testing.assert_allclose(c, np.repeat(c0[:, :, None], 7, axis=2), rtol=0, atol=1e-20)
    dc = np.zeros((3, 4, 7))
    dc[:, :, -1] = 1.0
    np.testing.assert_allclose(gru_backward(dc, caches)["dc0"], 1.0, rtol=0, atol=1e-15)


def test_output_layer_is_a_softmax_of_the_state():
    rng = np.random.default_rng(9)
    n_x, n_a, n_y, m, T_x = 3, 4, 5, 2, 3
    p = make_parameters("full", n_x, n_a, rng, n_y=n_y)
    x, c0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m))
    c, y, _ = gru_forward(x, c0, p)
    assert y.shape == (n_y, m, T_x)
    np.testing.assert_allclose(y.sum(axis=0), 1.0, atol=1e-14)
    for t in range(T_x):
        np.testing.assert_allclose(y[:, :, t], softmax(p["Wy"] @ c[:, :, t] + p["by"]), atol=1e-15)
    p.pop("Wy"), p.pop("by")
    assert gru_forward(x, c0, p)[1] is None


def test_default_variant_is_full():
    rng = np.random.default_rng(10)
    p = make_parameters("full", 2, 3, rng)
    xt, c_prev = rng.standard_normal((2, 1)), rng.standard_normal((3, 1))
    assert gru_cell_forward(xt, c_prev, p)[2][8] == "full"
    np.testing.assert_array_equal(gru_cell_forward(xt, c_prev, p)[0], gru_cell_forward(xt, c_prev, p, "full")[0])
    np.testing.assert_allclose(gru_forward(xt[:, :, None], c_prev, p)[0][:, :, 0],
                               gru_cell_forward(xt, c_prev, p, "full")[0], rtol=0, atol=1e-15)


# --------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("variant", GRU_VARIANTS)
def test_float32_stays_float32(variant):
    rng = np.random.default_rng(11)
    n_x, n_a, n_y, m, T_x = 3, 4, 2, 2, 5
    p64 = make_parameters(variant, n_x, n_a, rng, n_y=n_y)
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    x, c0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m))
    dc = rng.standard_normal((n_a, m, T_x))
    c32, y32, caches32 = gru_forward(x.astype(np.float32), c0.astype(np.float32), p32, variant)
    g32 = gru_backward(dc.astype(np.float32), caches32)
    c64, y64, caches64 = gru_forward(x, c0, p64, variant)
    g64 = gru_backward(dc, caches64)
    assert c32.dtype == y32.dtype == np.float32
    assert all(v.dtype == np.float32 for v in g32.values())
    np.testing.assert_allclose(c32, c64, atol=1e-5)
    for k in g64:
        np.testing.assert_allclose(g32[k], g64[k], atol=1e-4, err_msg=k)
    c1, y1, cache1 = gru_cell_forward(x[:, :, 0].astype(np.float32), c0.astype(np.float32), p32, variant)
    assert c1.dtype == y1.dtype == np.float32
    assert all(v.dtype == np.float32 for v in gru_cell_backward(np.ones_like(c1), cache1).values())


# --------------------------------------------------------------------------- errors
@pytest.fixture
def setup():
    rng = np.random.default_rng(12)
    p = make_parameters("full", 3, 5, rng)
    return p, rng.standard_normal((3, 10)), np.zeros((5, 10))


def test_transposed_input_is_reported_in_notation(setup):
    p, xt, c_prev = setup
    with pytest.raises(ValueError, match=r"^x\^<t> must be \(n_x, m\) = \(3, 10\); got \(10, 3\)$"):
        gru_cell_forward(xt.T, c_prev, p)
    with pytest.raises(ValueError, match=r"^x must be \(n_x, m, T_x\) = \(3, 10, \?\); got \(3, 10\) "
                                         r"\(2-D instead of 3-D\)$"):
        gru_forward(xt, c_prev, p)


def test_unknown_variant_lists_the_choices(setup):
    p, xt, c_prev = setup
    msg = "variant must be one of 'simplified', 'full', 'reset_after'; got 'lstm'"
    with pytest.raises(ValueError) as err:
        gru_cell_forward(xt, c_prev, p, variant="lstm")
    assert str(err.value) == msg
    with pytest.raises(ValueError) as err:
        gru_forward(xt[:, :, None], c_prev, p, variant="lstm")
    assert str(err.value) == msg


def test_bad_parameters_are_named(setup):
    p, xt, c_prev = setup
    with pytest.raises(ValueError) as err:
        gru_cell_forward(xt, c_prev, p, variant="reset_after")
    assert str(err.value) == "parameters is missing 'bca' (b_ca)"
    with pytest.raises(ValueError) as err:
        gru_cell_forward(xt, c_prev, {**p, "Wu": p["Wu"][:, :7]})
    assert str(err.value) == "W_u must be (n_a, n_a + n_x) = (5, 8); got (5, 7)"
    with pytest.raises(ValueError) as err:
        gru_cell_forward(xt, c_prev, {**p, "Wc": p["Wc"][:, :4]})
    assert str(err.value) == "W_c must be (n_a, n_a + n_x) = (5, 5 + n_x) with n_x ≥ 1; got (5, 4)"
    with pytest.raises(ValueError, match=r"^b_r must be \(n_a, 1\) = \(5, 1\); got \(5,\) \(1-D instead of 2-D\)$"):
        gru_cell_forward(xt, c_prev, {**p, "br": p["br"][:, 0]})
    with pytest.raises(ValueError, match=r"^W_y must be \(n_y, n_a\) = \(2, 5\); got \(2, 4\)$"):
        gru_cell_forward(xt, c_prev, {**p, "Wy": np.zeros((2, 4)), "by": np.zeros((2, 1))})
    with pytest.raises(TypeError, match="^parameters must be a dict"):
        gru_cell_forward(xt, c_prev, [p["Wc"]])


def test_dtype_mismatch_and_non_finite_values_are_reported(setup):
    p, xt, c_prev = setup
    with pytest.raises(TypeError) as err:
        gru_cell_forward(xt.astype(np.float32), c_prev, p)
    assert str(err.value) == ("x^<t> is float32 but the other arrays are float64; "
                              "use one floating-point dtype for inputs and parameters")
    with pytest.raises(TypeError, match=r"^c\^<t-1> must be a float32 or float64 array; got int64$"):
        gru_cell_forward(xt, c_prev.astype(np.int64), p)
    bad = c_prev.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError) as err:
        gru_cell_forward(xt, bad, p)
    assert str(err.value) == ("c^<t-1> contains NaN (first at index (1, 2)); "
                              "non-finite values are not propagated")
    with pytest.raises(ValueError, match=r"^c\^<0> contains Inf"):
        gru_forward(xt[:, :, None], np.full_like(c_prev, np.inf), p)


def test_backward_checks_its_inputs(setup):
    p, xt, c_prev = setup
    _, _, cache = gru_cell_forward(xt, c_prev, p)
    with pytest.raises(ValueError) as err:
        gru_cell_backward(np.zeros((10, 5)), cache)
    assert str(err.value) == "dL/dc^<t> must be (n_a, m) = (5, 10); got (10, 5)"
    with pytest.raises(TypeError, match="^cache must be the tuple .* returned by gru_cell_forward$"):
        gru_cell_backward(np.zeros((5, 10)), cache[:5])
    _, _, caches = gru_forward(np.stack([xt, xt], axis=-1), c_prev, p)
    with pytest.raises(ValueError) as err:
        gru_backward(np.zeros((5, 10, 3)), caches)
    assert str(err.value) == "dL/dc must be (n_a, m, T_x) = (5, 10, 2); got (5, 10, 3)"
    with pytest.raises(TypeError, match="^caches must be the pair"):
        gru_backward(np.zeros((5, 10, 2)), caches[0])
    with pytest.raises(ValueError, match=r"^x must hold at least one time step"):
        gru_forward(np.zeros((3, 10, 0)), c_prev, p)


# --------------------------------------------------------------------------- properties
@settings(max_examples=12, deadline=None)
@given(variant=st.sampled_from(GRU_VARIANTS), n_x=st.integers(1, 3), n_a=st.integers(1, 3),
       m=st.integers(1, 3), T_x=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_property_shapes_and_gradients(variant, n_x, n_a, m, T_x, seed):
    rng = np.random.default_rng(seed)
    p = make_parameters(variant, n_x, n_a, rng)
    x, c0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m))
    dc = rng.standard_normal((n_a, m, T_x))
    c, y, caches = gru_forward(x, c0, p, variant)
    assert c.shape == (n_a, m, T_x) and y is None
    # a convex combination of c̃ ∈ (−1, 1) and c^<t-1>: |c^<t>| ≤ max(1, |c^<t-1>|)
    assert np.all(np.abs(c) <= np.maximum(1.0, np.abs(c0).max()) + 1e-12)
    grads = gru_backward(dc, caches)
    assert grads["dx"].shape == x.shape and grads["dc0"].shape == c0.shape
    for k in GRU_PARAMETER_SHAPES[variant]:
        assert grads["d" + k].shape == p[k].shape

    def loss():
        return np.sum(dc * gru_forward(x, c0, p, variant)[0])

    assert_gradcheck(loss, {"dx": x, "dc0": c0, **{"d" + k: v for k, v in p.items()}}, grads, small=1e-3)
