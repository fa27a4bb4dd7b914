"""The dependency rule: handlers → bot → storage, never back; the core never imports a platform.

Inside `bot/`, the outer rooms (the CLI and the composition root) may use the inner ones, never the
other way round, and only the selection module reads papers from storage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLATFORMS = {"telegram", "slack_bolt", "slack_sdk", "aiohttp"}
COMPOSITION_ROOT = "bot/bootstrap.py"
OUTER = {"bot.cli", "bot.bootstrap"}
STORAGE_ACCESS = {"storage.db", "storage.tables", "storage.papers", "storage.subscribers", "storage.outbox"}
# (files under this folder or module, may not import these modules or packages)
RULES: list[tuple[str, set[str]]] = [
    ("storage", {"bot", "handlers"} | PLATFORMS),
    ("bot", {"handlers"} | PLATFORMS),
    ("bot/commands", OUTER | {"bot.broadcast", "bot.daily", "bot.scheduler", "bot.llm"}),
    ("bot/broadcast", OUTER | {"bot.commands", "bot.scheduler"}),
    ("bot/fields", OUTER | {"bot.commands", "bot.broadcast", "bot.selection"} | STORAGE_ACCESS),
    ("bot/render", OUTER | {"bot.commands", "bot.broadcast", "bot.selection"} | STORAGE_ACCESS),
    ("bot/sources", OUTER | {"bot.commands", "bot.broadcast", "bot.selection"} | STORAGE_ACCESS),
    ("bot/llm", OUTER | {"bot.commands", "bot.broadcast"}),
    ("handlers", OUTER | {"slack_bolt", "slack_sdk"}),
    ("handlers/console.py", OUTER | {"telegram", "slack_bolt", "slack_sdk"}),
]
# Modules allowed to break a rule above, and why.
EXCEPTIONS = {
    (COMPOSITION_ROOT, "handlers"): "the composition root wires the platforms (lazily, inside functions)",
    ("handlers/slack", "slack_bolt"): "the Slack adapter",
    ("handlers/slack", "slack_sdk"): "the Slack adapter",
}
PAPER_READERS = {"bot/selection.py", "bot/ingest.py"}  # reads and writes of the papers tables


def imported_modules(path: Path, top_level_only: bool = False) -> set[str]:
    """Dotted names a module imports (absolute imports only); `from a import b` gives a and a.b."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def imported_packages(path: Path) -> set[str]:
    """Top-level package names a module imports."""
    return {name.split(".")[0] for name in imported_modules(path)}


def _matches(name: str, forbidden: str) -> bool:
    return name == forbidden or name.startswith(forbidden + ".")


def _excused(path: str, forbidden: str) -> bool:
    return any(path.startswith(where) and forbidden == what for where, what in EXCEPTIONS)


def _files(where: str) -> list[Path]:
    target = ROOT / where
    return [target] if target.suffix == ".py" else sorted(target.rglob("*.py"))


@pytest.mark.parametrize(("where", "forbidden"), RULES, ids=[rule[0] for rule in RULES])
def test_imports_point_one_way(where: str, forbidden: set[str]) -> None:
    offenders = []
    for path in _files(where):
        rel = str(path.relative_to(ROOT))
        for name in sorted(imported_modules(path)):
            bad = [f for f in forbidden if _matches(name, f) and not _excused(rel, f)]
            if bad:
                offenders.append(f"{rel} imports {name}")
    assert offenders == []


def test_the_composition_root_loads_platforms_only_when_asked() -> None:
    top = imported_modules(ROOT / COMPOSITION_ROOT, top_level_only=True)
    assert {name.split(".")[0] for name in top} & ({"handlers"} | PLATFORMS) == set()


def test_only_the_selection_reads_papers() -> None:
    readers = {
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if any(_matches(name, "storage.papers") for name in imported_modules(path))
    }
    assert readers <= PAPER_READERS


def test_the_rule_catches_a_violation(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from handlers.console import run_console\nimport telegram.ext\n")
    assert imported_packages(module) == {"handlers", "telegram"}
    assert "handlers.console.run_console" in imported_modules(module)
