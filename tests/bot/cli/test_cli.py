"""The command line as a user runs it: exit codes, one-line errors, the JSON contract."""

from __future__ import annotations

import asyncio
import io
import json
import signal
from pathlib import Path

import pytest

from bot import texts
from bot.__main__ import main
from handlers.console import run_console
from storage.db import Database
from tests.fakes.hf_server import FakeHFServer
from tests.paths import FIXTURES
from tests.processes import HANG, base_env, start_paperbot

PAPER_KEYS = {"rank", "id", "title", "easy_ko", "easy_lang", "fields", "votes", "url"}


@pytest.fixture
def run(db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run `paperbot ARGS` against the test database; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", db.url)

    def _run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_demo_prints_cards_and_exits_without_a_terminal(run, tmp_path: Path) -> None:
    code, out, err = run("demo", "--no-input", "--database", f"sqlite:///{tmp_path / 'demo.db'}")
    assert code == 0, err
    assert out.startswith("📰 2025-02-11 허깅페이스 인기 논문 TOP 5")
    for label in ("제목:", "쉬운설명:", "관련분야:", "추천수:", "link: https://huggingface.co/papers/"):
        assert out.count(label) == 5


def test_console_chat_answers_commands(services) -> None:
    stdout = io.StringIO()
    run_console(services, io.StringIO("/top 2\n/field 강화학습\nhello\n/subscribe\n/quit\n/top\n"), stdout)
    out = stdout.getvalue()
    assert "TOP 2" in out
    assert "강화 학습 분야" in out
    assert texts.CONSOLE_NOT_A_COMMAND in out
    assert "09:00" in out
    assert out.count("📰") == 1  # nothing after /quit


def test_top_json_follows_the_contract(run) -> None:
    run("import", str(FIXTURES / "digests" / "cards_crlf.md"), "--date", "2025-03-04")
    code, out, _ = run("top", "--format", "json", "--n", "20")
    assert code == 0
    data = json.loads(out)
    assert data["date"] == "2025-03-04" and data["field"] is None
    assert data["papers"] and all(set(p) == PAPER_KEYS for p in data["papers"])
    votes = [p["votes"] for p in data["papers"]]
    assert votes == sorted(votes, reverse=True)
    assert [p["rank"] for p in data["papers"]] == list(range(1, len(votes) + 1))


def test_fetch_from_fake_hugging_face_then_top_orders_by_votes(run, monkeypatch) -> None:
    entries = json.loads((FIXTURES / "hf" / "valid_day.json").read_text(encoding="utf-8"))
    with FakeHFServer({"2025-03-04": entries}) as hf:
        monkeypatch.setenv("PAPERBOT_HF_ENDPOINT", hf.url)
        code, out, err = run("fetch", "--date", "2025-03-04")
    assert code == 0, err
    assert f"stored {len(entries)} papers" in out
    code, out, _ = run("top", "--date", "2025-03-04", "--format", "json")
    papers = json.loads(out)["papers"]
    assert [p["votes"] for p in papers] == sorted((e["paper"]["upvotes"] for e in entries), reverse=True)[:5]
    assert all(p["easy_lang"] == "en" for p in papers)  # no Korean text yet: HF's English summary


def test_fetch_failure_is_one_line_and_exit_1(run, monkeypatch) -> None:
    with FakeHFServer({"2025-03-04": []}) as hf:
        monkeypatch.setenv("PAPERBOT_HF_ENDPOINT", hf.url + "/missing")
        code, _, err = run("fetch", "--date", "2025-03-04")
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("paperbot: ")


@pytest.mark.parametrize(
    "args",
    [
        ("top", "--n", "50"),
        ("top", "--date", "yesterday"),
        ("field", "피자피자"),
        ("nope",),
        ("subscribers", "add", "slack", "not-an-id"),
        ("import", "/no/such/file.md"),
    ],
)
def test_bad_usage_exits_2_with_one_line(run, args) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("paperbot: ")


def test_import_without_date_reports_the_file_and_stores_the_dated_one(run) -> None:
    code, out, err = run(
        "import", str(FIXTURES / "digests" / "daily_variants.md"), str(FIXTURES / "digests" / "cards_crlf.md")
    )
    assert code == 1
    assert "cards_crlf.md: no date inside; pass --date YYYY-MM-DD" in err
    assert "daily_variants.md: " in out and "1 files imported, 1 failed" in err


def test_import_goes_on_past_bad_files_and_exits_1(run, tmp_path: Path) -> None:
    unreadable = tmp_path / "latin1.md"
    unreadable.write_bytes("# caf\xe9\n".encode("latin-1"))
    files = [
        FIXTURES / "digests" / "unknown.md",
        FIXTURES / "digests" / "cards_crlf.md",
        unreadable,
        FIXTURES / "digests" / "summary_bom.md",
    ]
    code, out, err = run("import", *map(str, files), "--date", "2025-03-04")
    assert code == 1
    assert "unknown.md: no papers found" in err and "latin1.md: " in err
    assert "cards_crlf.md: " in out and "summary_bom.md: " in out  # the good files are stored
    assert "2 files imported, 2 failed" in err
    assert err.rstrip().endswith("paperbot: 2 of 4 files failed to import")
    assert json.loads(run("top", "--format", "json", "--date", "2025-03-04")[1])["papers"]


def test_top_on_an_empty_database_says_to_fetch(run) -> None:
    code, out, err = run("top")
    assert code == 0 and out == ""
    assert "run 'paperbot fetch'" in err


@pytest.mark.parametrize("date", [None, "2024-01-01"])
def test_an_empty_markdown_export_fails(run, date: str | None) -> None:
    run("import", str(FIXTURES / "digests" / "cards_crlf.md"), "--date", "2025-03-04")
    code, out, err = run("top", "--format", "markdown", *(["--date", date] if date else []))
    if date is None:
        assert code == 0 and out.strip()
        return
    assert code == 1 and out == ""
    assert err == "paperbot: no papers stored for 2024-01-01: nothing to export\n"


def test_a_telegram_name_without_the_token_is_refused(run) -> None:
    code, out, err = run("subscribers", "add", "telegram", "@paper_news")
    assert code == 1 and out == ""
    assert "PAPERBOT_TELEGRAM_TOKEN" in err and err.count("\n") == 1
    assert run("subscribers", "list")[1] == ""


def test_field_and_fields_json(run) -> None:
    run("import", str(FIXTURES / "digests" / "cards_crlf.md"), "--date", "2025-03-04")
    code, out, _ = run("fields", "--format", "json")
    counts = {row["code"]: row["count"] for row in json.loads(out)["fields"]}
    assert code == 0 and len(counts) == 18
    busiest = max(counts, key=counts.get)
    code, out, _ = run("field", busiest, "--format", "json", "--n", "20")
    data = json.loads(out)
    assert data["field"] == busiest and len(data["papers"]) == counts[busiest]


def test_subscribers_add_list_remove(run, tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("-1001234567890\n# a comment\n\n-1009876543210\n")
    code, out, _ = run(
        "subscribers", "add", "telegram", "12345", "--from-file", str(ids), "--fields", "nlp,llm"
    )
    assert code == 0 and "3 telegram chats" in out
    code, out, _ = run("subscribers", "list")
    assert out.count("\tnlp,llm\tactive") == 3
    code, out, _ = run("subscribers", "remove", "telegram", "-1001234567890")
    assert code == 0 and "1 of 1" in out
    assert run("subscribers", "add", "telegram", "1", "--fields", "cooking")[0] == 2


def test_every_format_renders(run) -> None:
    run("import", str(FIXTURES / "digests" / "cards_crlf.md"), "--date", "2025-03-04")
    for fmt in ("text", "telegram", "slack", "markdown"):
        code, out, _ = run("top", "--format", fmt)
        assert code == 0 and out.strip(), fmt
    assert json.loads(run("top", "--format", "slack")[1])[0]["blocks"][0]["type"] == "header"


def test_secrets_never_reach_the_error_line(run, monkeypatch) -> None:
    secret = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789"
    monkeypatch.setenv("PAPERBOT_TELEGRAM_TOKEN", secret)
    monkeypatch.setenv("PAPERBOT_HF_ENDPOINT", f"http://127.0.0.1:9/{secret}")
    code, out, err = run("fetch", "--date", "2025-03-04")
    assert code == 1
    assert secret not in err and secret not in out


def test_broadcast_runs_once_per_day_and_resumes(run) -> None:
    run("import", str(FIXTURES / "digests" / "cards_crlf.md"), "--date", "2025-03-04")
    run("subscribers", "add", "console", "alice", "bob")
    code, out, _ = run("broadcast", "--date", "2025-03-04", "--dry-run")
    assert code == 0 and "2 recipients" in out and "console:*:5: 2 chats" in out
    code, out, err = run("broadcast", "--date", "2025-03-04")
    assert code == 0, err
    assert out.count("📰 2025-03-04") == 2 and "sent 2" in out
    code, out, _ = run("broadcast", "--date", "2025-03-04")
    assert code == 0 and "done-before" in out and "📰" not in out
    code, out, _ = run("rebroadcast", "--date", "2025-03-04", "--to", "console:alice")
    assert code == 0 and out.count("📰 2025-03-04") == 1 and "sent 1" in out
    assert run("rebroadcast", "--to", "pager:1")[0] == 2


@pytest.mark.parametrize("ending", [b"/quit\n", b""], ids=["quit", "end-of-input"])
async def test_run_console_quit_stops_the_service(tmp_path: Path, ending: bytes) -> None:
    env = base_env(tmp_path) | {"PAPERBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    proc = await start_paperbot("run", "--console", env=env, cwd=tmp_path, stdin=asyncio.subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"/fields\n" + ending)
    await proc.stdin.drain()
    if not ending:
        proc.stdin.close()  # Ctrl-D
    try:
        seen = ""
        while "/field" not in seen:
            seen += (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        await asyncio.wait_for(proc.wait(), 30)  # no signal: the chat's own ending stops everything
    finally:
        if proc.returncode is None:  # (a service that ignored /quit must not outlive the test)
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0


@pytest.mark.slow
async def test_run_console_answers_and_stops_on_sigterm_while_reading(tmp_path: Path) -> None:
    env = base_env(tmp_path) | {"PAPERBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    proc = await start_paperbot("run", "--console", env=env, cwd=tmp_path, stdin=asyncio.subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"/help\n")
    await proc.stdin.drain()
    seen = ""
    while "/subscribe" not in seen:
        seen += (await asyncio.wait_for(proc.stdout.readline(), HANG)).decode()
    proc.send_signal(signal.SIGTERM)  # stdin stays open: the reader is blocked on it
    await asyncio.wait_for(proc.wait(), HANG)
    assert proc.returncode == 0


def test_search_json_follows_the_contract(run) -> None:
    run("import", str(FIXTURES / "digests" / "cards_crlf.md"), "--date", "2025-03-04")
    code, out, err = run("search", "언어 모델", "--format", "json", "--n", "3")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"date", "field", "papers"} and data["date"] is None and data["field"] == "llm"
    assert 0 < len(data["papers"]) <= 3 and all(set(p) == PAPER_KEYS for p in data["papers"])
    code, out, _ = run("search", "zzzz-no-such-words", "--format", "json")
    assert code == 0 and json.loads(out) == {"date": None, "field": None, "papers": []}


def test_search_text_since_and_bad_usage(run) -> None:
    run("import", str(FIXTURES / "digests" / "cards_crlf.md"), "--date", "2025-03-04")
    code, out, _ = run("search", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m")
    assert code == 2
    code, out, err = run("search", "-x")
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, out, _ = run("search", "종이배", "--since", "2025-03-05")
    assert code == 0 and out == ""
    code, out, _ = run("search", "종이배", "--since", "2025-03-04")
    assert code == 0 and out.startswith("🔍 '종이배' 검색 결과 1편 (2025-03-04)") and "Paper Boats" in out
