"""`paperbot subscribers add|remove --from-file`: counts, JSON, and malformed files that change nothing."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from storage.db import Database
from tests.cli_runner import Run, runner
from tests.processes import base_env


@pytest.fixture
def run(db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return runner(db.url, monkeypatch, capsys)


def states(run: Run) -> dict[str, str]:
    """chat id -> "active" or the reason it is inactive."""
    code, out, _ = run("subscribers", "list", "--format", "json")
    assert code == 0
    return {
        s["chat_id"]: "active" if s["active"] else s["deactivated_reason"]
        for s in json.loads(out)["subscribers"]
    }


def write(path: Path, *lines: str) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def test_add_from_file_counts_new_reactivated_and_known_chats(run: Run, tmp_path: Path) -> None:
    assert run("subscribers", "add", "telegram", "11", "22", "33")[0] == 0
    assert run("subscribers", "remove", "telegram", "33")[0] == 0
    ids = write(
        tmp_path / "ids.txt", "# chats of the lab", "11", "", "  33  ", "-1001234567890", "44", "11", "-5"
    )
    code, out, err = run("subscribers", "add", "telegram", "--from-file", str(ids), "--fields", "nlp")
    assert code == 0, err
    assert out == "subscribed 5 telegram chats (3 new, 1 reactivated, 1 already subscribed)\n"
    assert states(run) == dict.fromkeys(["11", "22", "33", "-1001234567890", "44", "-5"], "active")
    code, out, _ = run("subscribers", "list", "--format", "json")
    kinds = {s["chat_id"]: (s["chat_kind"], s["fields"]) for s in json.loads(out)["subscribers"]}
    assert kinds["-1001234567890"] == ("channel", ["nlp"]) and kinds["-5"] == ("group", ["nlp"])
    assert kinds["22"] == ("private", None)  # not in the file: untouched

    code, out, _ = run("subscribers", "add", "telegram", "55", "--from-file", str(ids), "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "platform": "telegram",
        "chats": 6,
        "added": 1,
        "reactivated": 0,
        "already_subscribed": 5,
    }


def test_remove_from_file_counts_unknown_and_inactive_chats(run: Run, tmp_path: Path) -> None:
    assert run("subscribers", "add", "slack", "C0000001", "C0000002", "C0000003")[0] == 0
    assert run("subscribers", "remove", "slack", "C0000003")[0] == 0
    ids = write(tmp_path / "gone.txt", "C0000001", "C0000003", "C0000009", "C0000001")
    code, out, err = run("subscribers", "remove", "slack", "--from-file", str(ids))
    assert code == 0, err
    assert out == "unsubscribed 1 of 3 slack chats (2 not subscribed)\n"
    assert states(run) == {
        "C0000001": "removed by admin",
        "C0000002": "active",
        "C0000003": "removed by admin",
    }
    code, out, _ = run(
        "subscribers", "remove", "slack", "C0000002", "--from-file", str(ids), "--format", "json"
    )
    assert code == 0
    assert json.loads(out) == {"platform": "slack", "chats": 4, "removed": 1, "not_subscribed": 3}
    assert set(states(run).values()) == {"removed by admin"}


@pytest.mark.parametrize("verb", ["add", "remove"])
def test_a_malformed_file_changes_nothing(run: Run, tmp_path: Path, verb: str) -> None:
    assert run("subscribers", "add", "telegram", "11", "22")[0] == 0
    ids = write(tmp_path / "ids.txt", "33", "# ok", "twelve", "11", "-1001234567890", "1 2", "22")
    code, out, err = run("subscribers", verb, "telegram", "--from-file", str(ids))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(
        "paperbot: not a telegram chat id: 'twelve' (ids.txt line 3)"
    )
    assert "2 bad in all, nothing changed" in err
    assert states(run) == {"11": "active", "22": "active"}


def test_a_file_that_is_not_utf8_or_has_no_ids_is_refused(run: Run, tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9\n".encode("latin-1"))
    code, _, err = run("subscribers", "add", "console", "--from-file", str(latin1))
    assert code == 2 and err.startswith("paperbot: latin1.txt: not UTF-8 text") and err.count("\n") == 1
    empty = write(tmp_path / "empty.txt", "# nothing yet", "")
    code, _, err = run("subscribers", "remove", "console", "--from-file", str(empty))
    assert code == 2 and "give at least one CHAT_ID or --from-file" in err
    assert states(run) == {}


def test_the_bar_shows_on_a_terminal(tmp_path: Path) -> None:
    env = base_env(tmp_path) | {"PAPERBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "COLUMNS": "120"}
    ids = write(tmp_path / "ids.txt", *(f"chat{i}" for i in range(12_000)))
    primary, secondary = pty.openpty()  # stderr is a terminal, stdout a pipe
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "subscribers", "add", "console", "--from-file", str(ids)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=secondary,
    ) as proc:
        os.close(secondary)
        stdout, _ = proc.communicate(timeout=120)
        shown = read_all(primary)
    assert proc.returncode == 0
    assert "subscribing" in shown and "3/3" in shown  # three chunks of at most 5,000 ids
    assert stdout == b"subscribed 12000 console chats (12000 new, 0 reactivated, 0 already subscribed)\n"


def read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode(errors="replace")
