"""Log lines on stderr: text or one JSON object per line, secrets masked, paperbot's own level apart."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from bot.redact import RedactingFilter, secret_values
from bot.settings import Settings

OWN_LOGGERS = ("bot", "handlers", "storage")
NOISY_LOGGERS = ("httpx", "httpcore", "alembic")  # a line per request or per migration step
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and the exception text if any."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (newlines inside values are escaped)."""
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (as `logging.lastResort` does)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        """Ignored: the stream is always the current stderr."""


class _LevelByLogger(logging.Filter):
    """paperbot's own loggers pass from `own`; every library from `others`."""

    def __init__(self, own: int, others: int) -> None:
        super().__init__()
        self.own, self.others = own, others

    def filter(self, record: logging.LogRecord) -> bool:
        """True when the record is at or above its side's level."""
        ours = record.name.split(".", 1)[0] in OWN_LOGGERS
        return record.levelno >= (self.own if ours else self.others)


@dataclass(frozen=True)
class LogChoice:
    """How to log: paperbot's level, the libraries' level and the line format."""

    own: int
    others: int
    fmt: str = "text"


def choose(settings: Settings | None, *, service: bool, verbose: bool) -> LogChoice:
    """`paperbot run` logs at PAPERBOT_LOG_LEVEL; other verbs only warn; `-v` adds paperbot's INFO."""
    level = logging.getLevelNamesMapping()[settings.log_level] if settings else logging.INFO
    own = level if service else logging.WARNING
    if verbose:
        own = min(own, logging.INFO)
    others = logging.DEBUG if own == logging.DEBUG else logging.WARNING
    return LogChoice(own, others, settings.log_format if settings else "text")


def configure(choice: LogChoice) -> logging.Handler:
    """Send log records to stderr as `choice` says (replacing an earlier set-up of this module)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(old)
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter() if choice.fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(_LevelByLogger(choice.own, choice.others))
    handler.addFilter(RedactingFilter(secret_values()))  # both formats see masked text only
    root.addHandler(handler)
    root.setLevel(min(choice.own, choice.others))
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.captureWarnings(True)  # Python warnings become records: JSON lines stay JSON
    return handler


def setup(load: Callable[[], Settings], *, service: bool, verbose: bool) -> None:
    """Configure logging from the settings; settings that fail to load are reported later, by the verb."""
    try:
        settings: Settings | None = load()
    except Exception:  # the verb loads them again and reports the error as its one line
        settings = None
    configure(choose(settings, service=service, verbose=verbose))
