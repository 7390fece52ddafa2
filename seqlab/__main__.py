"""``python -m seqlab`` is the ``seqlab`` console command."""
from .cli import main

raise SystemExit(main())
