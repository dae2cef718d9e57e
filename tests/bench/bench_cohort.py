"""Benchmark of the cohort chain on the generated 900-participant course (not a test).

Run: ``.venv/bin/python tests/bench/bench_cohort.py [--workers 2]``. Generating the fixture is not
timed; the chain is: import 5 days of attendance, compute completion, issue every certificate,
build the HTML report. Targets (2 cores): chain < 60 s, certificates < 20 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "functional" / "cohort")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("C4C_TEST_CERT_KEY", "benchmark-key-not-a-secret-012345")
    from make_cohort import build

    from c4c_lms.cohort import attendance
    from c4c_lms.cohort import certificates
    from c4c_lms.cohort.data import load_cohort, n_days
    from c4c_lms.cohort.completion import evaluate, rules_from_course
    from c4c_lms.core.config import load_course
    from c4c_lms.cohort.report import write_report
    from c4c_lms.lms.roster import load_roster

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        truth = build(root)
        print(f"fixture generated (not timed): {time.perf_counter() - t:.1f} s")
        figures = {}
        chain = time.perf_counter()
        t = time.perf_counter()
        course = load_course(root)
        people = load_roster(course)
        for day, path in enumerate(truth["files"], start=1):
            attendance.import_day(course.workdir, people, path, day, n_days(course))
        figures["import 5 days"] = time.perf_counter() - t
        t = time.perf_counter()
        data = load_cohort(course)
        outcomes = evaluate(data, rules_from_course(course))
        eligible = data.participants.loc[outcomes.index[outcomes["eligible"]]].reset_index().to_dict("records")
        figures["completion (load + rules)"] = time.perf_counter() - t
        t = time.perf_counter()
        result = certificates.issue(course, eligible, workers=args.workers)
        figures[f"issue {len(result.issued)} certificates"] = time.perf_counter() - t
        t = time.perf_counter()
        size = write_report(course, data, root / "report.html")
        figures["report"] = time.perf_counter() - t
        figures["whole chain"] = time.perf_counter() - chain
        t = time.perf_counter()
        again = certificates.issue(course, eligible, workers=args.workers)
        figures["re-issue (nothing changed)"] = time.perf_counter() - t
        t = time.perf_counter()
        certificates.issue(course, eligible, workers=args.workers, force=True)
        figures["re-issue --force (all redrawn)"] = time.perf_counter() - t
        print(f"participants {len(people)}, certified {len(result.issued)}, unchanged on re-issue {again.unchanged}, "
              f"report {size // 1024} KB, CPUs {os.cpu_count()}, workers {args.workers}")  # fmt: skip
        for name, seconds in figures.items():
            print(f"{name:<34} {seconds:7.2f} s")


if __name__ == "__main__":
    main()
