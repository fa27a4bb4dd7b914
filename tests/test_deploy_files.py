"""The files that deploy paperbot stay true: .env.example lists every setting with its default; the
Dockerfile follows the basics; the licence matches pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from pydantic import AliasChoices

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
ENTRY = re.compile(r"^# (PAPERBOT_[A-Z0-9_]+)=(.*)$")


def env_name(field: str) -> str:
    """The variable a Settings field is read from (its first alias, else PAPERBOT_<FIELD>)."""
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"PAPERBOT_{field.upper()}"


def example_entries() -> dict[str, tuple[str, str]]:
    """name -> (default shown, the comment line above it)."""
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    entries = {}
    for previous, line in zip(lines, lines[1:], strict=False):
        if match := ENTRY.match(line):
            entries[match.group(1)] = (match.group(2), previous)
    return entries


def test_every_setting_is_in_env_example_with_a_comment() -> None:
    entries = example_entries()
    missing = [env_name(f) for f in Settings.model_fields if env_name(f) not in entries]
    assert missing == [], "add these to .env.example"
    for name, (_, comment) in entries.items():
        assert comment.startswith("# ") and not ENTRY.match(comment), f"{name} needs a comment line above it"


def test_env_example_shows_the_real_defaults(tmp_path: Path) -> None:
    """Uncommented, the example's values load to exactly the defaults."""
    known = {env_name(f) for f in Settings.model_fields}
    values = {name: v for name, (v, _) in example_entries().items() if v and name in known}
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    assert Settings(_env_file=tmp_path / ".env") == Settings(_env_file=None)
    unset = {env_name(f) for f, info in Settings.model_fields.items() if info.default in (None, [], "")}
    assert {name for name, (v, _) in example_entries().items() if not v} >= unset - {"PAPERBOT_FIELDS_FILE"}


def test_env_example_has_every_setting_of_the_contract(shared_dir: Path) -> None:
    spec = (shared_dir / "SPEC.md").read_text(encoding="utf-8")
    section = spec[spec.index("## 6.") :]
    named = set(re.findall(r"`(PAPERBOT_[A-Z0-9_]+)`", section))
    assert named >= {"PAPERBOT_HEALTH_PORT", "PAPERBOT_LOG_FORMAT", "PAPERBOT_FETCH_RETRY_MINUTES"}
    assert sorted(named - set(example_entries())) == []


def test_dockerfile_basics() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    instructions = [line.split(None, 1) for line in text.splitlines() if line and not line[0].isspace()]
    instructions = [(i[0], i[1] if len(i) > 1 else "") for i in instructions if not i[0].startswith("#")]
    froms = [args for op, args in instructions if op == "FROM"]
    assert froms and all(re.match(r"python:3\.1[1-9][\w.-]*-slim", f) for f in froms)
    users = [args for op, args in instructions if op == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert instructions[-1] == ("CMD", '["paperbot", "run"]')
    assert ".[postgres]" in text and "--no-cache-dir" in text
    assert not any(op == "ADD" for op, _ in instructions)  # COPY: no remote URLs or auto-extraction


def test_licence_is_the_mit_licence_pyproject_names() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == {"text": "MIT"}
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "paperbot contributors" in licence


@pytest.mark.parametrize("name", ["Dockerfile", "compose.yaml", ".env.example", ".dockerignore"])
def test_deploy_files_exist(name: str) -> None:
    assert (ROOT / name).is_file()
