"""pytest plugin: run the ``--nbval`` notebooks in :data:`seqlab.book.EXECUTION_ENV`.

Loaded by the README's test command (``.ci/test``) with ``-p tests.book.nbenv``.  The
kernels nbval starts inherit this process's environment, so setting it here, before any
kernel starts, makes the re-execution use the same numeric code paths (BLAS kernels, SIMD
loops, threads, hash seed) as ``python -m seqlab.book execute`` did when the committed
outputs were made, whatever CPU the tests run on.
"""
from __future__ import annotations

import os

from seqlab.book import EXECUTION_ENV

os.environ.update(EXECUTION_ENV)
