"""Every cell of the course from scratch in NumPy, forward and hand-written backward.

Layout is the notes' column-batch layout: ``x^<t>`` is ``(n_x, m)``, a whole sequence
``x`` is ``(n_x, m, T_x)``, parameters are dicts keyed by the notation's names (``Wax``,
``Waa``, ``ba``, ...).  Forward functions return a cache; backward functions consume it.
"""
from .activations import *  # noqa: F401,F403
from .gradcheck import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .gru import *  # noqa: F401,F403
from .lstm import *  # noqa: F401,F403
from .peephole import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .bidirectional import *  # noqa: F401,F403
from .deep import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .dense import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .clipping import *  # noqa: F401,F403
from .tbptt import *  # noqa: F401,F403
from .init import *  # noqa: F401,F403
from .optim import *  # noqa: F401,F403
from .sampling import *  # noqa: F401,F403
