"""nbgrader's execution step, split in two: participant code in P, the tests in T.

``SandboxExecute`` replaces nbgrader's ``Execute`` preprocessor in the autograde pipeline:

1. **P** (the participant's kernel, in the sandbox) runs the submission with every test cell
   removed: it never receives test code, visible or hidden. After each answer cell the names
   the exercise declares (``declared.py``) leave P as data (``answers.py``).
2. **T** (a checker forked from the warm image no participant code ran in) runs the exercise's
   set-up cells and the tests, in notebook order, on those values and on a read-only pristine
   copy of the exercise's files (from the course's source folder, not the submission).
3. T's outputs are written into the test cells, P's into the other cells, so nbgrader's
   ``SaveAutoGrades``, the formgrader and feedback work unchanged.

When P dies or runs out of time, the answers it produced before are still tested; tests after
the point where it stopped get an error output and score 0 (``STATUS_FILE`` records why).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer, List, Unicode

from c4c_lms.lms.grading.answers import parse_capture
from c4c_lms.lms.grading.declared import Declared, declarations, is_test
from c4c_lms.lms.grading.reuse import read_notebook
from c4c_lms.lms.grading.sandbox import Caps, Checked, Execution, isolation_mode, tree_cpu, warm_server

STATUS_FILE = ".c4c_execution.json"


@dataclass
class Plan:
    """How one submission is split between P and T."""

    p_nb: NotebookNode
    p_to_nb: list[int]  # P's cell index -> the notebook's
    capture: dict[int, list[str]]  # P's answer cell index -> names to send out
    declared: Declared
    tests: list[int] = field(default_factory=list)  # the notebook's test cell indices


def split(nb: NotebookNode, declared: Declared) -> Plan:
    """P's notebook: ``nb`` without its test cells."""
    p_nb = nbformat.v4.new_notebook(metadata=nb.metadata)
    plan = Plan(p_nb, [], {}, declared)
    for index, cell in enumerate(nb.cells):
        if is_test(cell):
            plan.tests.append(index)
            continue
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and grade_id in declared.answers:
            plan.capture[len(p_nb.cells)] = declared.answers[grade_id]
        p_nb.cells.append(nbformat.from_dict(dict(cell)))
        plan.p_to_nb.append(index)
    return plan


def program(nb: NotebookNode, plan: Plan, execution: Execution) -> tuple[dict, set[int]]:
    """T's program, and the test cells it will not run because P stopped before them."""
    stopped_at = None  # the notebook index of P's first code cell that did not complete
    if execution.status != "ok":
        done = set(execution.outputs) - execution.broken
        first = next((i for i, c in enumerate(plan.p_nb.cells) if c.cell_type == "code" and i not in done), None)
        stopped_at = plan.p_to_nb[first] if first is not None else None
    answers = {plan.p_to_nb[i]: text for i, text in execution.answers.items() if 0 <= i < len(plan.p_to_nb)}
    by_nb = {plan.p_to_nb[i]: names for i, names in plan.capture.items()}
    steps, skipped = [], set()
    setup_done = set()
    for index, cell in enumerate(nb.cells):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in plan.declared.setup and grade_id not in setup_done:
            steps.append({"setup": plan.declared.setup[grade_id]})  # the source's text, not the submission's
            setup_done.add(grade_id)
        elif index in by_nb and index in answers:
            steps.append({"answers": parse_capture(answers[index], by_nb[index])})
        elif index in plan.tests:
            if stopped_at is not None and index > stopped_at:
                skipped.add(index)
            else:
                steps.append({"test": index, "source": cell.source})
    missing = [g for g in plan.declared.setup if g not in setup_done]  # a deleted set-up cell
    steps = [{"setup": plan.declared.setup[g]} for g in missing] + steps
    return {"steps": steps}, skipped


def merge(nb: NotebookNode, plan: Plan, execution: Execution, checked: Checked, skipped: set[int]) -> NotebookNode:
    """P's outputs into the participant's cells, T's into the test cells.

    nbgrader scores a graded code cell with no error output as passed, so a test that did not
    run (P stopped before its answer, or T failed) must carry an error to be scored 0.
    """
    def not_run(why: str):
        return [new_output("error", ename="NotExecuted", evalue=why, traceback=[f"NotExecuted: {why}"])]

    from_p = {plan.p_to_nb[i]: outs for i, outs in execution.outputs.items() if 0 <= i < len(plan.p_to_nb)}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if index in plan.tests:
            if index in skipped:
                cell.outputs = not_run(f"the notebook stopped before this answer ({execution.reason})")
            elif index in checked.outputs:
                cell.outputs = [nbformat.from_dict(o) for o in checked.outputs[index]]
            else:
                cell.outputs = not_run(f"the tests did not run ({checked.reason})")
        elif index in from_p:
            cell.outputs = [nbformat.from_dict(o) for o in from_p[index]]
        else:
            cell.outputs = not_run(execution.reason)
    return nb


class SandboxExecute(NbGraderPreprocessor):
    """nbgrader preprocessor: run the participant's cells in P and the tests in T (see above)."""

    cell_timeout = Integer(30, help="Seconds per cell.").tag(config=True)
    submission_timeout = Integer(300, help="Seconds for the whole notebook.").tag(config=True)
    memory_mb = Integer(2048, help="Address-space limit of the kernel, MiB.").tag(config=True)
    max_processes = Integer(64, help="Processes the kernel's user may run.").tag(config=True)
    mode = Unicode("", help="'bwrap' or 'limits'; empty chooses the strongest available.").tag(config=True)
    preload = List(Unicode(), help="Modules the warm sandbox imports once, before forking kernels.").tag(config=True)
    source_root = Unicode("", help="The course's source folder (declarations, pristine data).").tag(config=True)
    work_mb = Integer(200, help="Size of the participant's working folder, MiB.").tag(config=True)
    tmp_mb = Integer(200, help="Size of the sandbox's /tmp, MiB.").tag(config=True)
    max_files = Integer(20_000, help="Files and folders in each of them.").tag(config=True)

    def _source(self, resources: dict) -> tuple[NotebookNode | None, Path | None]:
        info = resources.get("nbgrader", {})
        if not self.source_root or not info.get("assignment"):
            return None, None
        folder = Path(self.source_root) / info["assignment"]
        path = folder / f"{info.get('notebook', info['assignment'])}.ipynb"
        try:
            return read_notebook(path), folder  # read once per worker; only read here
        except (OSError, ValueError):
            return None, folder if folder.is_dir() else None

    def preprocess(self, nb, resources):
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        source, exercise = self._source(resources)
        plan = split(nb, declarations(source if source is not None else nb))
        caps = Caps(self.work_mb, self.tmp_mb, self.max_files)
        execution, checked = Execution(), Checked()
        profile = {"p_cpu": 0.0, "t_cpu": 0.0} if os.environ.get("C4C_GRADING_PROFILE") else None
        for _attempt in range(2):  # once more only if not a single cell ran (kernel never started)
            try:
                server = warm_server(self.mode or None, tuple(self.preload), caps)
            except RuntimeError as err:
                execution = Execution(status="sandbox", reason=str(err))
                continue
            before = tree_cpu(server.process.pid) if profile is not None else 0.0
            execution = server.run(
                plan.p_nb, folder, cell_timeout=self.cell_timeout, submission_timeout=self.submission_timeout,
                memory_mb=self.memory_mb, max_processes=self.max_processes, max_file_mb=50, capture=plan.capture,
            )  # fmt: skip
            if profile is not None:
                profile["p_cpu"] += tree_cpu(server.process.pid) - before
            if execution.outputs or execution.status not in ("error", "sandbox"):
                break
        steps, skipped = program(nb, plan, execution)
        if not plan.tests:
            checked = Checked(status="ok", reason="")
        if steps["steps"] and execution.status != "sandbox":
            for _attempt in range(2):  # a T that breaks (not a failing test) is tried once more
                try:
                    server = warm_server(self.mode or None, tuple(self.preload), caps)
                except RuntimeError as err:
                    checked = Checked(reason=str(err))
                    break
                before = tree_cpu(server.process.pid) if profile is not None else 0.0
                checked = server.check(steps, exercise or folder, cell_timeout=self.cell_timeout,
                                       memory_mb=self.memory_mb)  # fmt: skip
                if profile is not None and server.alive():
                    profile["t_cpu"] += tree_cpu(server.process.pid) - before
                if checked.status == "ok":
                    break
        merge(nb, plan, execution, checked, skipped)
        # The pipeline validates once, at its end (``Exporter.optimistic_validation``, see
        # ``batch.sandbox_config``); outputs that came from P are checked here, before
        # ``SaveAutoGrades`` scores them, as nbconvert did after every step.
        try:
            nbformat.validate(nb, relax_add_props=True)
        except nbformat.ValidationError:
            self.log.error("Notebook is invalid after preprocessor %s", self)
            raise
        executed = sorted(plan.p_to_nb[i] for i in execution.outputs if 0 <= i < len(plan.p_to_nb))
        (folder / STATUS_FILE).write_text(json.dumps({
            "status": execution.status, "reason": execution.reason, "executed_cells": executed,
            "mode": self.mode or isolation_mode(), "checker": checked.status, "checker_reason": checked.reason,
            "untested": sorted(skipped), **(profile or {}),
        }))  # fmt: skip
        return nb, resources
