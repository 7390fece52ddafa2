"""Input checks that speak the course's notation.

Every public function of :mod:`seqlab.numpy` and :mod:`seqlab.torch` checks what it is
given with these helpers, so a mistake is reported as, for example::

    ValueError: x^<t> must be (n_x, m) = (3, 10); got (10, 3)
    TypeError: W_aa must be a float32 or float64 array; got int64
    ValueError: a^<t-1> contains NaN (first at index (2, 0))

No silent broadcasting: shapes must match exactly.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Mapping

import numpy as np

from .notation import text_of

FLOAT_DTYPES = (np.float32, np.float64)

_DIM_RE = re.compile(r"^(?:(\d+)\s*)?([A-Za-z_][A-Za-z_0-9]*)$")


@lru_cache(maxsize=None)
def _parse_dim(expr: str) -> tuple[tuple[int, str | None], ...] | None:
    """``"4 n_a + n_x"`` -> ((4, "n_a"), (1, "n_x")); ``"1"`` -> ((1, None),); None if unparsable."""
    terms = []
    for term in expr.split("+"):
        term = term.strip()
        if term.isdigit():
            terms.append((int(term), None))
            continue
        match = _DIM_RE.match(term)
        if not match:
            return None
        terms.append((int(match.group(1) or 1), match.group(2)))
    return tuple(terms)


def _eval_dim(expr: str, sizes: Mapping[str, int]) -> int | None:
    """Value of a dimension expression such as ``"n_a"``, ``"4 n_a"``, ``"n_a + n_x"`` or ``"1"``."""
    terms = _parse_dim(expr)
    if terms is None:
        return None
    total = 0
    for factor, name in terms:
        if name is None:
            total += factor
        elif name in sizes:
            total += factor * int(sizes[name])
        else:
            return None
    return total


@lru_cache(maxsize=None)
def _is_name(dim: str) -> bool:
    """True for a plain dimension name such as ``"n_x"`` (not ``"4 n_a"`` or ``"1"``)."""
    return bool(_DIM_RE.match(dim)) and not dim[0].isdigit() and " " not in dim


def expected_shape(dims: tuple[str, ...], sizes: Mapping[str, int]) -> tuple[int | None, ...]:
    """The concrete shape of ``dims`` given known ``sizes`` (``None`` where unknown)."""
    return tuple(_eval_dim(d, sizes) for d in dims)


def _fmt_shape(shape) -> str:
    inner = ", ".join("?" if s is None else str(s) for s in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def check_array(value: Any, name: str, dims: tuple[str, ...], sizes: Mapping[str, int] | None = None,
                *, dtype: np.dtype | None = None, finite: bool = True) -> np.ndarray:
    """Check that ``value`` is a floating-point array of shape ``dims``.

    ``name`` is a symbol name or parameter key of :mod:`seqlab.notation` (``"x_t"``,
    ``"Wax"``) or any plain-text label.  ``dims`` is the shape in notation, e.g.
    ``("n_x", "m")``; ``sizes`` gives the known values of the dimension names.  Unknown
    dimension names are filled in from ``value`` and written back into ``sizes`` when it is
    a ``dict`` so that later checks use them.  ``dtype``, when given, is the dtype all
    arrays of the call must share.

    Returns ``value`` unchanged (no copy, no cast).
    """
    label = text_of(name)
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{label} must be a numpy array of shape {'(' + ', '.join(dims) + ')'}; "
                        f"got {type(value).__name__}")
    if value.dtype.type not in FLOAT_DTYPES:
        raise TypeError(f"{label} must be a float32 or float64 array; got {value.dtype}")
    if dtype is not None and value.dtype != dtype:
        raise TypeError(f"{label} is {value.dtype} but the other arrays are {np.dtype(dtype)}; "
                        "use one floating-point dtype for inputs and parameters")
    sizes = {} if sizes is None else sizes
    if value.ndim != len(dims):
        want = expected_shape(dims, sizes)
        raise ValueError(f"{label} must be {_notation(dims)} = {_fmt_shape(want)}; got {_fmt_shape(value.shape)}"
                         f" ({value.ndim}-D instead of {len(dims)}-D)")
    # learn unknown single-name dimensions from the value itself
    if isinstance(sizes, dict):
        for d, n in zip(dims, value.shape):
            if d not in sizes and _is_name(d):
                sizes[d] = n
    want = expected_shape(dims, sizes)
    if any(w is not None and w != g for w, g in zip(want, value.shape)):
        raise ValueError(f"{label} must be {_notation(dims)} = {_fmt_shape(want)}; got {_fmt_shape(value.shape)}")
    if finite:
        check_finite(value, name)
    return value


def check_finite(value: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` naming the symbol if ``value`` holds NaN or ±Inf.

    Fast path: one reduction that is finite whenever every entry is (a NaN or ±Inf anywhere
    makes it NaN or ±Inf) clears the common case: Σ x² for a float array whose entries fill
    one contiguous block, in any axis order (one BLAS dot product, several times faster than
    a sum; e.g. the sequences the forward passes return, transposed views of step-major
    buffers), else Σ x.  Only a non-finite result (a bad entry, or finite entries whose
    reduction overflows) pays for the element-wise scan that finds and names the first bad
    index.
    """
    if not value.size:
        return
    flat = _memory_order_flat(value) if value.dtype.type in FLOAT_DTYPES else None
    with np.errstate(all="ignore"):                   # inf − inf or an overflow: no warning
        probe = value.sum() if flat is None else np.dot(flat, flat)
    if np.isfinite(probe):
        return
    if not np.isfinite(value).all():
        bad = np.argwhere(~np.isfinite(value))[0]
        kind = "NaN" if np.isnan(value[tuple(bad)]) else "Inf"
        raise ValueError(f"{text_of(name)} contains {kind} (first at index {tuple(int(i) for i in bad)}); "
                         "non-finite values are not propagated")


def _memory_order_flat(value: np.ndarray) -> np.ndarray | None:
    """The entries of ``value`` as a 1-D view in memory order, when they fill one contiguous
    block (a C-contiguous array with its axes permuted), else ``None``."""
    if value.flags.c_contiguous:
        return value.reshape(-1)
    by_stride = value.transpose(np.argsort(value.strides, kind="stable")[::-1])
    return by_stride.reshape(-1) if by_stride.flags.c_contiguous else None


def _notation(dims: tuple[str, ...]) -> str:
    return "(" + ", ".join(dims) + ")"


def check_parameters(parameters: Any, spec: Mapping[str, tuple[str, ...]], sizes: dict[str, int],
                     *, dtype: np.dtype | None = None, where: str = "parameters") -> np.dtype:
    """Check a parameter dictionary against ``spec`` (key -> shape in notation).

    Missing keys raise ``KeyError``-like ``ValueError`` naming the key and its symbol.
    Returns the common dtype of the parameters.
    """
    if not isinstance(parameters, Mapping):
        raise TypeError(f"{where} must be a dict of arrays keyed by {', '.join(spec)}; "
                        f"got {type(parameters).__name__}")
    missing = [k for k in spec if k not in parameters]
    if missing:
        raise ValueError(f"{where} is missing " + ", ".join(f"{k!r} ({text_of(k)})" for k in missing))
    for key, dims in spec.items():
        value = parameters[key]
        check_array(value, key, dims, sizes, dtype=dtype)
        if dtype is None:
            dtype = value.dtype
    return dtype
