"""Shared fixtures: the repository root, a real Chromium for browser tests, a real Voilà server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import CHROMIUM_ARGS, voila_server

REPO = Path(__file__).resolve().parents[1]
FILES = Path(__file__).resolve().parent / "files"


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's chromium; browser tests skip without it, except in CI where they fail."""
    path = _chromium()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " and CI=true: browser tests must run in CI")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    """A Playwright Chromium browser on Debian's binary (never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def voila_url(tmp_path_factory):
    """Base URL of a standalone Voilà server over the repository (production settings)."""
    with voila_server(log_path=tmp_path_factory.mktemp("voila") / "voila.log") as base:
        yield base
