"""Log set-up: JSON or text lines with secrets masked, levels per logger, and the start-up line."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from bot import logs
from bot.logs import LogChoice, choose, configure
from bot.redact import remember
from bot.settings import Settings
from bot.startup import StartupSummary, next_digest, public_database_url, summary

SECRET = "a-plain-secret-value-1234"


class Named:
    """A platform stand-in with a name and, optionally, a mode."""

    def __init__(self, name: str, mode: str | None = None) -> None:
        self.name = name
        if mode:
            self.mode = mode


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


def emit_samples() -> None:
    logging.getLogger("bot.sample").debug("own debug")
    logging.getLogger("bot.sample").info("own info")
    logging.getLogger("telegram.ext.sample").info("library info")
    logging.getLogger("telegram.ext.sample").warning("library warning")


def stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


def test_json_lines_carry_time_level_logger_message_and_exception(capsys) -> None:
    remember(SECRET)
    configure(LogChoice(logging.INFO, logging.WARNING, "json"))
    log = logging.getLogger("handlers.sample")
    log.info("token %s in a message\nover two lines", SECRET)
    try:
        raise RuntimeError(f"failed with {SECRET}")
    except RuntimeError:
        log.exception("it broke")
    lines = stderr_lines(capsys)
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"time", "level", "logger", "message"}
    assert (first["level"], first["logger"]) == ("INFO", "handlers.sample")
    assert first["message"] == "token *** in a message\nover two lines"
    assert dt.datetime.fromisoformat(first["time"]).tzinfo is not None
    assert second["message"] == "it broke" and "RuntimeError: failed with ***" in second["exception"]
    assert SECRET not in "\n".join(lines)


def test_text_lines_are_masked_too(capsys) -> None:
    remember(SECRET)
    configure(LogChoice(logging.INFO, logging.WARNING, "text"))
    logging.getLogger("storage.sample").warning("url postgresql://u:%s@db/x", SECRET)
    [line] = stderr_lines(capsys)
    assert " WARNING storage.sample: url postgresql://u:***@db/x" in line and SECRET not in line


def test_verbose_shows_paperbots_info_not_every_librarys_debug(capsys) -> None:
    configure(choose(None, service=False, verbose=True))
    emit_samples()
    assert [line.split(": ", 1)[1] for line in stderr_lines(capsys)] == ["own info", "library warning"]


def test_one_off_commands_warn_only_and_the_service_follows_the_setting(capsys) -> None:
    configure(choose(Settings(_env_file=None), service=False, verbose=False))
    emit_samples()
    assert [line.split(": ", 1)[1] for line in stderr_lines(capsys)] == ["library warning"]
    configure(choose(Settings(_env_file=None, log_level="debug"), service=True, verbose=False))
    emit_samples()
    messages = [line.split(": ", 1)[1] for line in stderr_lines(capsys)]
    assert messages == ["own debug", "own info", "library info", "library warning"]


def test_python_warnings_become_json_lines(capsys) -> None:
    configure(LogChoice(logging.INFO, logging.WARNING, "json"))
    import warnings

    warnings.warn("something is deprecated", DeprecationWarning, stacklevel=1)
    [line] = stderr_lines(capsys)
    assert json.loads(line)["logger"] == "py.warnings"


def test_settings_that_fail_to_load_fall_back_to_text(capsys) -> None:
    def broken() -> Settings:
        raise ValueError("invalid settings")

    logs.setup(broken, service=True, verbose=False)
    logging.getLogger("bot.sample").info("still logged")
    [line] = stderr_lines(capsys)
    assert line.endswith(" INFO bot.sample: still logged")


def test_log_settings_accept_any_case_and_refuse_others() -> None:
    s = Settings(_env_file=None, log_level="warning", log_format="JSON")
    assert (s.log_level, s.log_format, s.health_port) == ("WARNING", "json", 8080)
    with pytest.raises(ValueError):
        Settings(_env_file=None, log_format="xml")


# --- the start-up line ---

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2026, 12, 1, 23, 59, tzinfo=SEOUL), "2026-12-02 09:00 KST"),
        (dt.datetime(2026, 12, 2, 8, 59, tzinfo=SEOUL), "2026-12-02 09:00 KST"),
        (dt.datetime(2026, 12, 2, 9, 0, tzinfo=SEOUL), "2026-12-03 09:00 KST"),
        (dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), "2027-01-01 09:00 KST"),
    ],
)
def test_the_start_line_names_the_next_digest_in_korean_time(now: dt.datetime, expected: str) -> None:
    settings = Settings(_env_file=None, database_url="postgres://bot:pw@db.internal:5432/papers")
    line = summary(settings, [Named("telegram", "polling"), Named("console")], True, now)
    assert line == (
        "paperbot running: platforms=telegram (polling), console; "
        "database=postgresql+psycopg://db.internal:5432/papers; role=leader; "
        f"next digest {expected}"
    )


def test_a_digest_time_in_another_zone_is_shown_in_korean_time() -> None:
    new_york = ZoneInfo("America/New_York")
    due = next_digest(dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC), new_york, dt.time(9, 0))
    assert due == dt.datetime(2026, 7, 1, 9, 0, tzinfo=new_york)
    settings = Settings(_env_file=None, timezone="America/New_York")
    line = summary(settings, [], False, dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC))
    assert line.endswith("role=follower; next digest 2026-07-01 22:00 KST")


def test_database_urls_lose_their_credentials() -> None:
    assert public_database_url("sqlite:///paperbot.db") == "sqlite:///paperbot.db"
    assert public_database_url("postgresql+psycopg://u:p%40ss@h/db?sslmode=require") == (
        "postgresql+psycopg://h/db?sslmode=require"
    )
    assert public_database_url("not a url at all") == ["not a url at all"][0]


async def test_the_summary_part_logs_one_info_line(caplog) -> None:
    part = StartupSummary(
        Settings(_env_file=None),
        [Named("slack", "socket")],
        lambda: True,
        clock=lambda: dt.datetime(2026, 11, 30, 23, 0, tzinfo=dt.UTC),
    )
    with caplog.at_level(logging.INFO, logger="bot.startup"):
        await part.start()
        await part.stop()
    [record] = caplog.records
    assert record.levelname == "INFO" and record.getMessage() == (
        "paperbot running: platforms=slack (socket); database=sqlite:///paperbot.db; role=leader; "
        "next digest 2026-12-01 09:00 KST"
    )
