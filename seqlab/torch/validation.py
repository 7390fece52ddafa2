"""Input checks for :mod:`seqlab.torch`, in the course's notation.

The tensor counterpart of :mod:`seqlab.checks`.  seqlab.torch uses torch's row layout
(``x`` is ``(T_x, m, n_x)``, ``x^<t>`` is ``(m, n_x)``), so every shape message says so
and points to :func:`seqlab.torch.convert.x_to_torch` when a tensor looks like it is still
in seqlab.numpy's column layout ``(n_x, m, T_x)``::

    ValueError: x must be (T_x, m, n_x) = (5, 3, 4); got (5, 3, 7). seqlab.torch uses
    torch's time-major layout (T_x, m, n_x), not seqlab.numpy's (n_x, m, T_x)
    TypeError: x is float32 but the parameters are float64; ...
    ValueError: a^<0> contains NaN (first at index (0, 2, 1)); non-finite values are not propagated
"""
from __future__ import annotations

from typing import Any, Mapping

import torch

from ..checks import expected_shape
from ..notation import text_of

__all__ = ["check_tensor", "check_finite_tensor", "check_size", "check_choice"]


def _fmt(shape) -> str:
    inner = ", ".join("?" if s is None else str(s) for s in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def check_tensor(value: Any, name: str, dims: tuple[str, ...], sizes: Mapping[str, int],
                 *, dtype: torch.dtype, device: torch.device, layout: str = "",
                 finite: bool = True) -> torch.Tensor:
    """Check that ``value`` is a tensor of shape ``dims`` with the parameters' dtype and device.

    ``name`` is a symbol of :mod:`seqlab.notation` (``"x"``, ``"a0"``) or a plain label;
    ``dims`` the shape in notation, e.g. ``("T_x", "m", "n_x")``; ``sizes`` the known
    dimensions (unknown single names are learnt from ``value`` and written back into
    ``sizes`` when it is a dict).  ``layout`` is appended to shape errors to state which
    layout seqlab.torch expects.  Returns ``value`` unchanged.
    """
    label = text_of(name)
    notation = "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{label} must be a torch.Tensor of shape {notation}; got {type(value).__name__}"
                        + (" (convert NumPy arrays with seqlab.torch.convert.x_to_torch)"
                           if type(value).__module__ == "numpy" else ""))
    if not value.is_floating_point():
        raise TypeError(f"{label} must be a floating-point tensor ({dtype}); got {value.dtype}")
    if value.dtype != dtype:
        raise TypeError(f"{label} is {value.dtype} but the parameters are {dtype}; use one floating-point "
                        f"dtype: module.to({dtype}), or convert {label} with .to({dtype})")
    if value.device != device:
        raise ValueError(f"{label} is on {value.device} but the parameters are on {device}; "
                         f"move it with .to({str(device)!r})")
    _check_shape(value, label, dims, sizes, notation, layout)
    if finite:
        check_finite_tensor(value, name)
    return value


def _check_shape(value: torch.Tensor, label: str, dims: tuple[str, ...], sizes: Mapping[str, int],
                 notation: str, layout: str) -> None:
    got = tuple(value.shape)
    suffix = f". {layout}" if layout else ""
    if value.dim() != len(dims):
        raise ValueError(f"{label} must be {notation} = {_fmt(_expected(dims, sizes))}; got {_fmt(got)} "
                         f"({value.dim()}-D instead of {len(dims)}-D){suffix}")
    if isinstance(sizes, dict):
        for d, n in zip(dims, got):
            if d not in sizes and d.isidentifier():
                sizes[d] = n
    want = _expected(dims, sizes)
    if any(w is not None and w != g for w, g in zip(want, got)):
        raise ValueError(f"{label} must be {notation} = {_fmt(want)}; got {_fmt(got)}{suffix}")


def _expected(dims: tuple[str, ...], sizes: Mapping[str, int]) -> tuple[int | None, ...]:
    """Concrete shape: a dimension named exactly in ``sizes`` first, else its expression."""
    return tuple(sizes[d] if d in sizes else expected_shape((d,), sizes)[0] for d in dims)


def check_finite_tensor(value: torch.Tensor, name: str) -> None:
    """Raise ``ValueError`` naming the symbol if ``value`` holds NaN or ±Inf.

    Fast path: the sum of the entries is finite whenever every entry is (a NaN or ±Inf
    anywhere makes it NaN or ±Inf), so one reduction clears the common case; only a
    non-finite sum (a bad entry, or finite entries whose sum overflows) pays for the
    element-wise scan that finds and names the first bad index.
    """
    if not value.numel() or bool(torch.isfinite(value.sum())):
        return
    if not bool(torch.isfinite(value).all()):
        bad = torch.nonzero(~torch.isfinite(value))[0].tolist()
        kind = "NaN" if bool(torch.isnan(value[tuple(bad)])) else "Inf"
        raise ValueError(f"{text_of(name)} contains {kind} (first at index {tuple(bad)}); "
                         "non-finite values are not propagated")


def check_size(value: Any, name: str, minimum: int = 1) -> int:
    """A dimension such as ``n_x`` or ``num_layers``: an ``int`` ≥ ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int; got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be ≥ {minimum}; got {value}")
    return value


def check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """One of a few named options (``variant``, ``nonlinearity``)."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(repr(c) for c in choices)}; got {value!r}")
    return value
