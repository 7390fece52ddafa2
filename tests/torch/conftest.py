"""Fixtures of the seqlab.torch tests."""
from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """The tests use tiny tensors: one intra-op thread avoids thread spin-waiting on a busy machine
    (several times faster on 2 shared cores).  The previous setting is restored afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
