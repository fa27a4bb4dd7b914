"""Keep secrets out of logs and error lines."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable

_SECRET_NAMES = re.compile(r"TOKEN|SECRET|API_KEY|PASSWORD", re.IGNORECASE)
_TELEGRAM_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
_SLACK_TOKEN = re.compile(r"xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")
MASK = "***"
_REMEMBERED: set[str] = set()  # secrets known from elsewhere: a .env file, or generated at start


def remember(*values: str | None) -> None:
    """Mask these values too, from now on, wherever secrets are masked."""
    _REMEMBERED.update(v for v in values if v and len(v) >= 4)


def secret_values(environ: dict[str, str] | None = None) -> list[str]:
    """Secrets to mask: PAPERBOT_* variables named like secrets, and every remembered value."""
    env = os.environ if environ is None else environ
    named = [
        v for k, v in env.items() if k.startswith("PAPERBOT_") and _SECRET_NAMES.search(k) and len(v) >= 4
    ]
    return named + sorted(_REMEMBERED)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with known secrets, token-shaped strings and URL passwords masked."""
    for secret in sorted(set(secrets) | _REMEMBERED, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _TELEGRAM_TOKEN.sub(MASK, text)
    text = _SLACK_TOKEN.sub(MASK, text)
    return _URL_PASSWORD.sub(rf"\1{MASK}@", text)


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in every record's final message."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = list(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, masked, and drop the arguments."""
        message = redact(record.getMessage(), self.secrets)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        record.msg, record.args = message, None
        return True
