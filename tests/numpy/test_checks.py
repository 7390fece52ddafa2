"""Messages of seqlab.checks: they name the symbol, the shape in notation and what was given."""
from __future__ import annotations

import re

import numpy as np
import pytest

from seqlab.checks import _memory_order_flat, check_array, check_finite, check_parameters, expected_shape


def test_shape_message_in_notation():
    sizes = {"n_x": 3, "m": 10}
    with pytest.raises(ValueError) as info:
        check_array(np.zeros((10, 3)), "x_t", ("n_x", "m"), sizes)
    assert str(info.value) == "x^<t> must be (n_x, m) = (3, 10); got (10, 3)"


def test_ndim_mismatch_message():
    with pytest.raises(ValueError) as info:
        check_array(np.zeros((4, 2)), "a", ("n_a", "m", "T_x"), {"n_a": 4, "m": 2})
    assert str(info.value) == "a must be (n_a, m, T_x) = (4, 2, ?); got (4, 2) (2-D instead of 3-D)"
    with pytest.raises(ValueError) as info:
        check_array(np.zeros(3), "ba", ("n_a", "1"))
    assert str(info.value) == "b_a must be (n_a, 1) = (?, 1); got (3,) (1-D instead of 2-D)"


def test_sizes_are_learned_and_written_back():
    sizes: dict[str, int] = {}
    x = np.zeros((3, 5, 7))
    assert check_array(x, "x", ("n_x", "m", "T_x"), sizes) is x  # no copy
    assert sizes == {"n_x": 3, "m": 5, "T_x": 7}
    check_array(np.zeros((4, 7)), "Wc", ("n_a", "n_a + n_x"), sizes)
    assert sizes["n_a"] == 4
    with pytest.raises(ValueError, match=re.escape("W_c must be (n_a, n_a + n_x) = (4, 7); got (4, 6)")):
        check_array(np.zeros((4, 6)), "Wc", ("n_a", "n_a + n_x"), sizes)
    with pytest.raises(ValueError, match=re.escape("W must be (4 n_a, n_x) = (16, 3); got (12, 3)")):
        check_array(np.zeros((12, 3)), "W", ("4 n_a", "n_x"), sizes)


def test_expected_shape():
    sizes = {"n_a": 4, "n_x": 3}
    assert expected_shape(("n_a", "n_a + n_x", "4 n_a", "1", "m"), sizes) == (4, 7, 16, 1, None)
    assert expected_shape(("3 n_a + n_x", "n_y"), sizes) == (15, None)


def test_type_and_dtype_messages():
    with pytest.raises(TypeError, match=re.escape("W_aa must be a numpy array of shape (n_a, n_a); got list")):
        check_array([[1.0]], "Waa", ("n_a", "n_a"))
    with pytest.raises(TypeError, match=re.escape("W_aa must be a float32 or float64 array; got int64")):
        check_array(np.zeros((2, 2), dtype=np.int64), "Waa", ("n_a", "n_a"))
    with pytest.raises(TypeError, match=re.escape("W_aa must be a float32 or float64 array; got float16")):
        check_array(np.zeros((2, 2), dtype=np.float16), "Waa", ("n_a", "n_a"))
    msg = "a^<0> is float32 but the other arrays are float64; use one floating-point dtype for inputs and parameters"
    with pytest.raises(TypeError) as info:
        check_array(np.zeros((2, 2), np.float32), "a0", ("n_a", "m"), dtype=np.float64)
    assert str(info.value) == msg


def test_non_finite_messages():
    a = np.zeros((3, 2))
    a[2, 0] = np.nan
    with pytest.raises(ValueError) as info:
        check_array(a, "a_prev", ("n_a", "m"))
    assert str(info.value) == "a^<t-1> contains NaN (first at index (2, 0)); non-finite values are not propagated"
    b = np.zeros((2, 2))
    b[1, 1] = -np.inf
    with pytest.raises(ValueError, match=re.escape("c^<t-1> contains Inf (first at index (1, 1))")):
        check_finite(b, "c_prev")
    check_array(b, "c_prev", ("n_a", "m"), finite=False)  # allowed when asked
    check_finite(np.zeros((0, 3)), "x")  # empty arrays are fine
    with pytest.raises(ValueError, match="my label contains Inf"):
        check_finite(np.array([np.inf]), "my label")


def test_check_parameters_messages():
    spec = {"Wax": ("n_a", "n_x"), "Waa": ("n_a", "n_a"), "ba": ("n_a", "1")}
    good = {"Wax": np.zeros((4, 3)), "Waa": np.zeros((4, 4)), "ba": np.zeros((4, 1))}
    sizes: dict[str, int] = {}
    assert check_parameters(good, spec, sizes) == np.float64
    assert sizes == {"n_a": 4, "n_x": 3}
    with pytest.raises(ValueError) as info:
        check_parameters({"Wax": good["Wax"]}, spec, {})
    assert str(info.value) == "parameters is missing 'Waa' (W_aa), 'ba' (b_a)"
    with pytest.raises(ValueError, match=re.escape("layer 2 is missing 'ba' (b_a)")):
        check_parameters({"Wax": good["Wax"], "Waa": good["Waa"]}, spec, {}, where="layer 2")
    with pytest.raises(TypeError, match="parameters must be a dict of arrays keyed by Wax, Waa, ba; got tuple"):
        check_parameters((1, 2), spec, {})
    with pytest.raises(ValueError, match=re.escape("W_aa must be (n_a, n_a) = (4, 4); got (4, 3)")):
        check_parameters({**good, "Waa": np.zeros((4, 3))}, spec, {})
    with pytest.raises(TypeError, match="b_a is float32 but the other arrays are float64"):
        check_parameters({**good, "ba": np.zeros((4, 1), np.float32)}, spec, {})
    with pytest.raises(ValueError, match=re.escape("W_ax must be (n_a, n_x) = (5, 3); got (4, 3)")):
        check_parameters(good, spec, {"n_a": 5})
    bad = {**good, "Waa": np.full((4, 4), np.inf)}
    with pytest.raises(ValueError, match=re.escape("W_aa contains Inf (first at index (0, 0))")):
        check_parameters(bad, spec, {})


def test_check_finite_accepts_finite_entries_whose_sum_overflows():
    """The fast check (Σ x², or Σ x) must fall back to the element-wise scan, not reject large
    values: 1e20 squared overflows float32, 3e38 summed overflows it too."""
    for big in (np.full((3, 4), 1e20, dtype=np.float32), np.full((3, 4), 1e200),
                np.full((4, 3), 3e38, dtype=np.float32).T):
        with np.errstate(over="ignore"):
            flat = np.ascontiguousarray(big).reshape(-1)
            assert not np.isfinite(np.dot(flat, flat) if big.flags.c_contiguous else big.sum())
        check_finite(big, "x")                          # no error
    big = np.full((3, 4), 3e38, dtype=np.float32)
    big[1, 2] = np.nan
    with pytest.raises(ValueError, match=re.escape("x contains NaN (first at index (1, 2))")):
        check_finite(big, "x")
    mixed = np.zeros((2, 2))
    mixed[0, 0], mixed[1, 1] = np.inf, -np.inf          # sum is NaN: the scan names the first one
    with pytest.raises(ValueError, match=re.escape("x contains Inf (first at index (0, 0))")):
        check_finite(mixed, "x")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["C", "F", "step-major", "strided", "reversed"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_finite_finds_one_bad_entry_in_any_layout(dtype, layout, bad):
    """One NaN, +Inf or −Inf among finite values of either sign is found and named, whether
    the array's entries fill one block of memory in some axis order (C, Fortran, a (n, m, T_x)
    view of a step-major buffer: the Σ x² path) or not (a strided or reversed view: the Σ x path)."""
    rng = np.random.default_rng(0)
    base = rng.standard_normal((4, 6, 10)).astype(dtype)
    value = {"C": base, "F": np.asfortranarray(base), "step-major": base.transpose(1, 2, 0),
             "strided": base[:, ::2, ::3], "reversed": base[:, :, ::-1]}[layout]
    check_finite(value, "x")
    value[1, 2, 3] = bad
    kind = "NaN" if np.isnan(bad) else "Inf"
    with pytest.raises(ValueError, match=re.escape(f"x contains {kind} (first at index (1, 2, 3))")):
        check_finite(value, "x")


def test_check_finite_takes_the_dot_product_path_for_any_axis_order():
    """The fast probe sees every entry exactly once: a view in memory order for arrays whose
    entries fill one contiguous block, whatever the order of their axes; none otherwise."""
    base = np.arange(24.0).reshape(2, 3, 4)
    for axes in ((0, 1, 2), (2, 0, 1), (1, 2, 0), (2, 1, 0)):
        flat = _memory_order_flat(base.transpose(axes))
        assert flat is not None and np.shares_memory(flat, base)
        assert np.array_equal(flat, np.arange(24.0))
    assert _memory_order_flat(base[:, :2]) is None
    assert _memory_order_flat(base[::-1]) is None
    assert np.array_equal(_memory_order_flat(base[:1, :, :]), np.arange(12.0))
