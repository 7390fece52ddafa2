"""seqlab: the companion package of the sequence-models course.

* :mod:`seqlab.notation` -- every symbol of the course, once.
* :mod:`seqlab.numpy`    -- every cell from scratch in NumPy, forward and hand-written backward.
* :mod:`seqlab.torch`    -- the same cells from PyTorch tensor operations, on any device.

``seqlab.torch`` is imported on demand, so the NumPy half works without PyTorch.
"""
__version__ = "0.1.0"

__all__ = ["__version__"]
