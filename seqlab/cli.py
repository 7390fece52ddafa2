"""The ``seqlab`` console command.

Verbs are registered in :data:`COMMANDS`; each is a module with ``add_arguments(parser)``
and ``run(args) -> int``.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__

#: verb -> (module implementing it, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "notation": ("seqlab.cli_notation", "print the course's notation table"),
    "grade": ("seqlab.grading.cli", "grade a class's submissions of an assignment (A1, A2, A3)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seqlab",
        description="Companion tool of the seqlab sequence-models course.",
    )
    parser.add_argument("--version", action="version", version=f"seqlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for verb, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(verb, help=help_text, description=module.__doc__)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 0
    return int(args._run(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
