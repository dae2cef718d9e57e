"""Cohort commands (attendance, completion, certificates, report); filled by the cohort work."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
