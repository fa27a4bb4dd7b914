"""Run `paperbot ARGS` in-process, as a user would, and collect exit code, stdout and stderr."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.__main__ import main

Run = Callable[..., tuple[int, str, str]]


def runner(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """A function running `paperbot ARGS` against `database_url`; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", database_url)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run
