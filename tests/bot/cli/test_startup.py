"""What `paperbot --help` loads, `--version`, and the help every verb gives."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import click
import pytest

from bot.__main__ import main
from bot.cli import cli

HEAVY = ("openai", "telegram", "slack_bolt", "slack_sdk", "aiohttp", "apscheduler", "sqlalchemy", "httpx")
HELP_EVERY_VERB = """
import contextlib, io, sys
from bot.cli import cli, main
def paths(group, prefix):
    for name, command in group.commands.items():
        yield prefix + [name]
        if isinstance(command, type(group)) or hasattr(command, "commands"):
            yield from paths(command, prefix + [name])
with contextlib.redirect_stdout(io.StringIO()):
    main(["--help"])
    for path in paths(cli, []):
        main(path + ["--help"])
print(" ".join(sorted(name for name in sys.modules if "." not in name)))
"""


def verb_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every verb and sub-verb, as the words that name it."""
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += verb_paths(command, (*prefix, name))
    return found


def test_help_of_every_verb_loads_no_heavy_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", HELP_EVERY_VERB], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = set(done.stdout.split())
    assert "click" in loaded  # (the probe saw the modules)
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_version_comes_from_the_package_metadata(capsys) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"paperbot {version('paperbot')}\n"


@pytest.mark.parametrize("path", [(), *verb_paths(cli)], ids=lambda p: " ".join(p) or "paperbot")
def test_every_help_has_an_example_and_readable_placeholders(path: tuple[str, ...], capsys) -> None:
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    example = " ".join(("paperbot", *path))
    assert "Examples:\n" in out and f"\n    {example}" in out
    assert "%Y" not in out and "INTEGER" not in out and "TEXT" not in out and "PATH" not in out
