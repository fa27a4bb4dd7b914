"""What every source checks before storage: values the database can hold.

The schema is the contract at the source boundary, so a value it lets through must never make the
database refuse a whole day. Counts (votes, stars, comments) live in 32-bit INTEGER columns on
PostgreSQL: a count outside 0…2,147,483,647 is refused (never clamped, never made positive), which
makes its entry invalid — skipped and reported, while the rest of the list is stored. Text may not
hold NUL (PostgreSQL refuses it) nor surrogate code points (they cannot be encoded as UTF-8, which
both drivers need); both are removed.
"""

from __future__ import annotations

import re

MAX_COUNT = 2**31 - 1  # the largest value of a PostgreSQL INTEGER column
# NUL, and any surrogate code point left over once valid pairs are joined.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """`value` without NUL characters and unpaired surrogates (a valid pair becomes its character)."""
    if not _UNSTORABLE.search(value):
        return value  # the common case costs one scan
    if _SURROGATE.search(value):
        # UTF-16 round trip: joins high+low pairs into one character and drops the lone halves.
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    return value.replace("\x00", "")
