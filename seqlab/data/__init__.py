"""Datasets of the course: generated (seeded) or shipped inside the package.

No dataset is downloaded at run time.  One module per dataset; each notes the source and
licence of what it ships (the shipped files are listed in ``README.md`` in this folder).
For example :mod:`seqlab.data.names` holds the 1990 US Census first names used by the
character-level language model and assignment A3.
"""
from __future__ import annotations
