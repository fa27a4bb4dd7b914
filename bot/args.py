"""Parsing of chat command arguments: counts, dates and field names, with hard size limits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot import texts

if TYPE_CHECKING:  # (the taxonomy's fuzzy matching loads rapidfuzz: not needed to parse counts)
    from bot.fields import Field, Taxonomy

MAX_N = 20
MAX_ARGS = 12
MAX_ARG_CHARS = 100
PERIODS = {"week": 7, "month": 30, "주간": 7, "월간": 30}  # /top week, /field 비전 month
_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_NUMBER = re.compile(r"^[0-9]+$")


class ArgumentError(ValueError):
    """A bad argument; the message is the Korean reply to show."""


def check_size(args: Sequence[str], max_args: int = MAX_ARGS) -> None:
    """Refuse argument lists that are too long to be a real request."""
    if len(args) > max_args or any(len(a) > MAX_ARG_CHARS for a in args):
        raise ArgumentError(texts.ARGS_TOO_LONG)


def is_number(token: str) -> bool:
    """True for a plain ASCII decimal number."""
    return bool(_NUMBER.match(token))


def parse_n(token: str, max_n: int = MAX_N) -> int:
    """A card count between 1 and `max_n`."""
    if not is_number(token) or len(token) > 3 or not 1 <= int(token) <= max_n:
        raise ArgumentError(texts.BAD_NUMBER.format(max_n=max_n))
    return int(token)


def parse_top_count(token: str) -> int:
    """A `/top` count of at least 1; a count above MAX_N is returned as is for the command to cap."""
    if not is_number(token) or int(token) < 1:
        raise ArgumentError(texts.BAD_NUMBER.format(max_n=MAX_N))
    return int(token)


def looks_like_date(token: str) -> bool:
    """True when the token has the shape of a YYYY-MM-DD date."""
    return bool(_DATE.match(token))


def parse_date(token: str) -> dt.date:
    """A YYYY-MM-DD date."""
    try:
        if not looks_like_date(token):
            raise ValueError(token)
        year, month, day = (int(p) for p in token.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        raise ArgumentError(texts.BAD_DATE.format(value=token[:20])) from None


def parse_top(args: Sequence[str], default_n: int) -> tuple[int, dt.date | None]:
    """`/top [N] [YYYY-MM-DD]`, in either order (N may exceed MAX_N: the command caps it)."""
    n, day = default_n, None
    for token in args:
        if is_number(token):
            n = parse_top_count(token)
        elif looks_like_date(token) or "-" in token:
            day = parse_date(token)
        else:
            raise ArgumentError(texts.TOP_USAGE.format(max_n=MAX_N))
    return n, day


def split_period(args: Sequence[str]) -> tuple[list[str], int | None]:
    """Take `week` or `month` (주간, 월간) out of the arguments: the rest and the days, if any."""
    rest = [a for a in args if a.lower() not in PERIODS]
    found = [PERIODS[a.lower()] for a in args if a.lower() in PERIODS]
    if len(found) > 1:
        raise ArgumentError(texts.PERIOD_TWICE)
    return rest, found[0] if found else None


def split_count(args: Sequence[str], default_n: int) -> tuple[list[str], int]:
    """Split a trailing count off `/field <분야> [N]`."""
    words = list(args)
    if len(words) > 1 and is_number(words[-1]):
        return words[:-1], parse_n(words[-1])
    return words, default_n


def parse_fields(args: Sequence[str], taxonomy: Taxonomy) -> tuple[list[Field], list[str]]:
    """Field names separated by spaces or commas; multi-word names match greedily.

    Returns the fields found and the words nothing matched.
    """
    words = [w for a in args for w in a.replace(",", " ").split()]
    found: list[Field] = []
    unknown: list[str] = []
    i = 0
    while i < len(words):
        for span in range(min(3, len(words) - i), 0, -1):
            field = taxonomy.resolve_exact(" ".join(words[i : i + span]))
            if field is None and span == 1:
                field = taxonomy.resolve(words[i]).field
            if field is not None:
                if field not in found:
                    found.append(field)
                i += span
                break
        else:
            unknown.append(words[i])
            i += 1
    return found, unknown
