"""Benchmark: plain `nbgrader autograde` (serial) against `c4c grade` (sandboxed, parallel).

Both grade the same synthetic cohort of one real course exercise: submissions built from the
released notebook with all, half or none of the solutions filled in. Prints both times, the
ratio, whether every score is identical, and the projection for 900 participants x 5 exercises.

    .venv/bin/python tests/bench/bench_grading.py --n 200 --workers 4
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


def solutions(source: Path) -> dict[str, str]:
    nb = nbformat.read(str(source), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.get("metadata", {}).get("nbgrader", {}).get("solution")}  # fmt: skip


def build_submissions(released: Path, source: Path, n: int) -> list[tuple[str, nbformat.NotebookNode]]:
    answers = solutions(source)
    keys = sorted(answers)
    out = []
    for i in range(n):
        nb = nbformat.read(str(released), as_version=4)
        kind = i % 3  # 0 complete, 1 half, 2 blank
        chosen = keys if kind == 0 else keys[: len(keys) // 2] if kind == 1 else []
        for cell in nb.cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid in chosen:
                cell.source = answers[gid]
        out.append((f"p{i:04d}", nb))
    return out


def write_submissions(base: Path, exercise: str, subs) -> None:
    for student, nb in subs:
        folder = base / student / exercise
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(folder / f"{exercise}.ipynb"))
        (folder / "timestamp.txt").write_text("2024-01-19 12:00:00.000000 UTC")


def scores(db: Path, exercise: str, course_id: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}", course_id=course_id) as gb:
        return {s.student.id: float(s.score) for s in gb.assignment_submissions(exercise)}


def print_cpu_split(workdir: Path, exercise: str, n: int) -> None:
    """CPU seconds per submission: trusted side (nbgrader + gradebook), P (participant), T (tests)."""
    import json

    records = [json.loads(line) for line in
               (workdir / "grading_profile.jsonl").read_text().splitlines() if line.strip()]  # fmt: skip
    trusted = [r["trusted_cpu"] for r in records]
    pipeline = sum(r.get("nbgrader_cpu", 0.0) for r in records)
    p_cpu = t_cpu = 0.0
    for status in (workdir / "autograded").glob(f"*/{exercise}/.c4c_execution.json"):
        record = json.loads(status.read_text())
        p_cpu += record.get("p_cpu", 0.0)
        t_cpu += record.get("t_cpu", 0.0)
    trusted_cpu = sum(trusted)
    total = trusted_cpu + p_cpu + t_cpu
    print(f"CPU per submission: trusted side {trusted_cpu / n:.3f} s (nbgrader's autograde "
          f"{pipeline / n:.3f} s: conversion passes, gradebook sessions, merging P and T; "
          f"our own totals and checks {(trusted_cpu - pipeline) / n:.3f} s), "
          f"P {p_cpu / n:.3f} s (participant kernel), T {t_cpu / n:.3f} s (tests); "
          f"total {total / n:.3f} s; load average {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--exercise", default="ex01_partners")
    parser.add_argument("--skip-nbgrader", action="store_true")
    args = parser.parse_args()

    from c4c_lms.core.config import load_course
    from c4c_lms.lms.grading.batch import grade_all
    from c4c_lms.lms.release import release
    from c4c_lms.lms.grading.sandbox import isolation_mode

    tmp = Path(tempfile.mkdtemp(prefix="c4c-bench-"))
    root = tmp / "course"
    shutil.copytree(REPO / "course", root / "course")
    shutil.copytree(REPO / "exercises" / args.exercise, root / "exercises" / args.exercise)
    os.environ["C4C_WORKDIR"] = str(tmp / "work")
    course = load_course(root)
    release(course, [args.exercise])
    released = course.workdir / "release" / args.exercise / f"{args.exercise}.ipynb"
    subs = build_submissions(released, root / "exercises" / args.exercise / f"{args.exercise}.ipynb", args.n)
    print(f"exercise {args.exercise}, {args.n} submissions (1/3 complete, 1/3 half, 1/3 blank), "
          f"{os.cpu_count()} CPUs, sandbox mode: {isolation_mode()}")

    # Baseline: stock nbgrader in a standard course layout, one submission after another.
    baseline = None
    if not args.skip_nbgrader:
        nbg = tmp / "nbgrader"
        shutil.copytree(root / "exercises" / args.exercise, nbg / "source" / args.exercise)
        write_submissions(nbg / "submitted", args.exercise, subs)
        common = [f"--CourseDirectory.root={nbg}", "--CourseDirectory.course_id=bench",
                  f"--Execute.timeout={course.config.grading.cell_timeout_s}"]  # fmt: skip
        nbgrader = Path(sys.executable).with_name("nbgrader")
        subprocess.run([str(nbgrader), "generate_assignment", args.exercise, "--force", *common],
                       check=True, capture_output=True, cwd=nbg)  # fmt: skip
        start = time.perf_counter()
        subprocess.run([str(nbgrader), "autograde", args.exercise, "--force", *common],
                       capture_output=True, cwd=nbg)  # fmt: skip
        baseline = time.perf_counter() - start
        base_scores = scores(nbg / "gradebook.db", args.exercise, "bench")
        print(f"nbgrader autograde (serial): {baseline:.1f} s, {baseline / args.n:.2f} s per submission")

    write_submissions(course.workdir / "submitted", args.exercise, subs)
    os.environ["C4C_GRADING_PROFILE"] = "1"
    start = time.perf_counter()
    results = grade_all(course, [args.exercise], workers=args.workers)
    ours = time.perf_counter() - start
    our_scores = {r.student_id: r.score for r in results}
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    print(f"c4c grade (--workers {args.workers}): {ours:.1f} s, {ours / args.n:.2f} s per submission; "
          f"statuses {statuses}")
    for r in results:
        if r.status in ("failed", "infrastructure"):
            print(f"  {r.status}: {r.student_id} ({r.score:g}/{r.max_score:g}) {r.reason} {r.detail}")
    print_cpu_split(course.workdir, args.exercise, args.n)
    if baseline is not None:
        same = base_scores == our_scores
        diff = sorted(k for k in base_scores if base_scores.get(k) != our_scores.get(k))[:5]
        print(f"throughput ratio c4c/nbgrader: {baseline / ours:.2f}x; scores identical: {same}"
              + (f" (first differences: {diff})" if not same else ""))
    projection = 900 * 5 * ours / args.n
    print(f"projection for 900 participants x 5 exercises: {projection / 60:.0f} min with c4c grade"
          + (f", {900 * 5 * baseline / args.n / 60:.0f} min with nbgrader" if baseline else ""))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
