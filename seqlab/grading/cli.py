"""Grade a class: run every submission in its own sandboxed process and write grades.csv.

Example: seqlab grade A1 submitted/*/A1/A1.ipynb --out grades.csv --jobs 2 --feedback feedback/

Each submission runs in a separate process with a time limit (--timeout, seconds) and a
memory limit (--memory, MB); hidden inputs are drawn and expected results computed only
in this process.  grades.csv has one row per submission: the path as given, one column
per question, total and max_total.  It is written once, after every process that any
submission started is gone.
"""
from __future__ import annotations

import sys


def add_arguments(parser) -> None:
    parser.add_argument("assignment", metavar="ASSIGNMENT", help="A1, A2 or A3")
    parser.add_argument("submissions", metavar="SUBMISSION.ipynb", nargs="+", help="submitted notebooks")
    parser.add_argument("--out", required=True, metavar="grades.csv", help="the grade file to write")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="submissions graded in parallel")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="S",
                        help="wall-clock limit per submission in seconds (default 60)")
    parser.add_argument("--memory", type=int, default=1024, metavar="MB",
                        help="address-space limit per submission in MB (default 1024)")
    parser.add_argument("--feedback", metavar="DIR", default=None,
                        help="write one feedback file per submission into DIR")
    parser.add_argument("--no-landlock", action="store_true",
                        help="do not use Landlock file-system isolation (for testing the other layers only)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def run(args) -> int:
    from .runner import grade_batch, sandbox_warning
    from .spec import get_assignment

    if not sys.platform.startswith("linux"):
        print("seqlab grade needs Linux (process supervision and sandboxing use Linux features)",
              file=sys.stderr)
        return 2
    try:
        spec = get_assignment(args.assignment)
    except ValueError as exc:
        print(f"seqlab grade: {exc}", file=sys.stderr)
        return 2
    if args.jobs < 1 or args.timeout <= 0 or args.memory < 128:
        print("seqlab grade: --jobs must be ≥ 1, --timeout > 0 and --memory ≥ 128", file=sys.stderr)
        return 2
    warning = sandbox_warning(not args.no_landlock)
    if warning:
        print(warning, file=sys.stderr)

    def progress(result) -> None:
        if not args.quiet:
            print(f"{result.total:g}/{spec.max_total:g}  {result.submission}", flush=True)

    results = grade_batch(spec, list(args.submissions), args.out, jobs=args.jobs, timeout=args.timeout,
                          memory_mb=args.memory, feedback_dir=args.feedback,
                          landlock=not args.no_landlock, reap_orphans=True, progress=progress)
    if not args.quiet:
        print(f"graded {len(results)} submission(s) of {spec.id}; grades in {args.out}")
    return 0
