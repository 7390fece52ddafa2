"""Print every symbol of the course: plain text, shape in notation, meaning."""
from __future__ import annotations

from .notation import notation_table


def add_arguments(parser) -> None:
    parser.add_argument("--chapter", type=int, default=None,
                        help="only symbols introduced up to this chapter")


def run(args) -> int:
    rows = notation_table(args.chapter)
    width = max(len(r["symbol"]) for r in rows)
    for r in rows:
        print(f"{r['symbol']:<{width}}  {r['shape']:<18}  {r['meaning']}")
    return 0
