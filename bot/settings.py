"""Typed configuration from environment variables or a `.env` file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.redact import remember

CommaInts = Annotated[list[int], NoDecode]
CommaStrs = Annotated[list[str], NoDecode]


def _split(value: object) -> list[str]:
    """Split a comma-separated setting; lists pass through."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, Iterable):
        return [str(v).strip() for v in value]
    return [str(value).strip()]


def normalize_database_url(url: str) -> str:
    """Rewrite hosting-platform `postgres://` URLs to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    """Every PAPERBOT_* setting of the product contract."""

    model_config = SettingsConfigDict(
        env_prefix="PAPERBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = Field(
        default="sqlite:///paperbot.db",
        validation_alias=AliasChoices("PAPERBOT_DATABASE_URL", "DATABASE_URL"),
    )
    timezone: str = "Asia/Seoul"
    digest_time: dt.time = dt.time(9, 0)
    digest_deadline: dt.time = dt.time(12, 0)  # an empty weekday list is waited for until then
    fetch_retry_minutes: float = Field(default=20, gt=0)  # how often a not-ready list is fetched again
    hf_empty_weekdays: CommaInts = [5, 6]  # listing weekdays (Monday = 0) whose lists are always empty
    top_n: int = Field(default=5, ge=1, le=20)
    field_window_days: int = Field(default=7, ge=1, le=365)
    hf_endpoint: str = "https://huggingface.co"
    hf_timeout: float = Field(default=60.0, gt=0)  # overall seconds for one Hugging Face request
    fields_file: Path | None = None  # an edited copy of the bundled field taxonomy

    telegram_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org/bot"
    telegram_admin_ids: CommaInts = []
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535)
    telegram_rate: float = Field(default=25, gt=0)
    telegram_paid_broadcast: bool = False

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_port: int = 3000
    slack_api_base: str = "https://slack.com/api/"
    slack_admin_ids: CommaStrs = []
    slack_command_prefix: str = Field(default="", pattern=r"^[a-z0-9_-]{0,20}$")  # "paper-" → /paper-top
    slack_subscribe: Literal["members", "admins"] = "members"  # who may (un)subscribe a Slack channel

    resend_ambiguous: bool = False
    send_retry_hours: float = Field(default=6, gt=0)  # how long provably unsent messages are retried
    unreachable_notice_minutes: float = Field(default=10, gt=0)  # unreachable this long: DM the admins
    send_retry_max_seconds: float = Field(default=60, gt=0)  # the longest wait between two tries

    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str | None = None
    llm_timeout: float = Field(default=60.0, gt=0)  # seconds per request
    llm_concurrency: int = Field(default=4, ge=1, le=32)
    llm_max_papers: int = Field(default=60, ge=0)  # per run: a misconfiguration cannot run up a bill
    llm_max_tokens: int = Field(default=300_000, ge=0)  # per run, prompt + completion

    health_port: int = Field(default=8080, ge=0, le=65535)  # GET /healthz and /metrics; 0 turns them off
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    event_loop: Literal["auto", "asyncio", "uvloop"] = "auto"  # auto: uvloop when installed

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalize_database_url(value)

    @field_validator("log_level", "log_format", "slack_subscribe", mode="before")
    @classmethod
    def _case_insensitive(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        return value.strip().upper() if info.field_name == "log_level" else value.strip().lower()

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone: {value}") from exc
        return value

    @field_validator("telegram_admin_ids", mode="before")
    @classmethod
    def _telegram_admins(cls, value: object) -> list[int]:
        return [int(part) for part in _split(value)]

    @field_validator("hf_empty_weekdays", mode="before")
    @classmethod
    def _empty_weekdays(cls, value: object) -> list[int]:
        days = [int(part) for part in _split(value)]
        if any(not 0 <= d <= 6 for d in days):
            raise ValueError("PAPERBOT_HF_EMPTY_WEEKDAYS takes weekday numbers 0 (Monday) to 6")
        return days

    @field_validator("slack_admin_ids", mode="before")
    @classmethod
    def _slack_admins(cls, value: object) -> list[str]:
        parts = _split(value)
        for part in parts:
            team, _, user = part.partition(":")
            if not team or not user:
                raise ValueError("PAPERBOT_SLACK_ADMIN_IDS takes TEAMID:USERID pairs")
        return parts

    @property
    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    @property
    def fetch_retry(self) -> dt.timedelta:
        """How long to wait before fetching a not-ready list again."""
        return dt.timedelta(minutes=self.fetch_retry_minutes)

    def secret_values(self) -> list[str]:
        """The values of every secret setting that is set (to keep them out of logs)."""
        values = [getattr(self, name) for name in type(self).model_fields]
        return [v.get_secret_value() for v in values if isinstance(v, SecretStr)]

    def admin_ids(self) -> set[tuple[str, str]]:
        """Bot admins as (platform, user id) pairs."""
        admins = {("telegram", str(i)) for i in self.telegram_admin_ids}
        admins |= {("slack", s) for s in self.slack_admin_ids}
        return admins


class ConfigError(RuntimeError):
    """The settings cannot be used; the message is one line without secret values."""


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with pydantic's errors folded into one line."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
    remember(*settings.secret_values())
    return settings
