"""Settings: every contract variable, `.env` support, URL rewriting, admins by numeric id."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from bot.redact import RedactingFilter, redact
from bot.settings import ConfigError, Settings, load_settings


def test_defaults_follow_the_contract() -> None:
    s = Settings(_env_file=None)
    assert s.database_url == "sqlite:///paperbot.db"
    assert (s.timezone, s.digest_time, s.top_n, s.field_window_days) == ("Asia/Seoul", dt.time(9), 5, 7)
    assert s.telegram_api_base == "https://api.telegram.org/bot"
    assert s.slack_api_base == "https://slack.com/api/" and s.slack_port == 3000
    assert s.telegram_rate == 25 and not s.telegram_paid_broadcast and not s.resend_ambiguous


def test_environment_and_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("PAPERBOT_TOP_N=7\nPAPERBOT_TELEGRAM_ADMIN_IDS=12, 34\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgres://u:pw@db.example:5432/app")
    monkeypatch.setenv("PAPERBOT_SLACK_ADMIN_IDS", "T1:U1,T2:U2")
    monkeypatch.setenv("PAPERBOT_DIGEST_TIME", "08:30")
    s = Settings()
    assert s.top_n == 7 and s.telegram_admin_ids == [12, 34]
    assert s.database_url == "postgresql+psycopg://u:pw@db.example:5432/app"
    assert s.digest_time == dt.time(8, 30)
    assert s.admin_ids() == {("telegram", "12"), ("telegram", "34"), ("slack", "T1:U1"), ("slack", "T2:U2")}


def test_secrets_do_not_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOT_TELEGRAM_TOKEN", "123456:very-secret-token-value")
    s = Settings(_env_file=None)
    assert "very-secret" not in repr(s) and "very-secret" not in str(s.model_dump())
    assert s.telegram_token is not None and s.telegram_token.get_secret_value().endswith("value")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAPERBOT_TELEGRAM_ADMIN_IDS", "@someadmin"),
        ("PAPERBOT_SLACK_ADMIN_IDS", "U123"),
        ("PAPERBOT_TIMEZONE", "Mars/Olympus"),
        ("PAPERBOT_TOP_N", "0"),
        ("PAPERBOT_DIGEST_TIME", "25:00"),
    ],
)
def test_bad_values_are_one_line_config_errors(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as excinfo:
        load_settings(_env_file=None)
    assert "\n" not in str(excinfo.value)
    assert name.removeprefix("PAPERBOT_").lower() in str(excinfo.value)


def test_secrets_from_a_dotenv_file_are_masked_in_logs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "plain-llm-key-without-a-known-shape"
    (tmp_path / ".env").write_text(f"PAPERBOT_LLM_API_KEY={secret}\n")
    monkeypatch.chdir(tmp_path)
    assert redact(f"key={secret}") == f"key={secret}"  # nothing knows it yet
    load_settings()
    assert redact(f"key={secret}") == "key=***"
    logger = logging.getLogger("redaction-check")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("calling %s", f"https://llm.example/v1?key={secret}")
    assert secret not in caplog.text and "key=***" in caplog.text
