"""Numbers in a Korean text must come from the paper: a `97%` the abstract never states is made up.

What counts as "the same number": the decimal value of the digits, with thousands separators and
spacing ignored (`1,000` = `1000`, `40 %` = `40%`, `1.50` = `1.5`), and the unit or suffix ignored
(`1.5배` matches `1.5x`, `7B` matches `7B` or `7 billion`). A scale word may also be converted:
`12만` matches `120K` and `300만` matches `3 million` (both sides are compared as given and as
scaled). Small English number words in the source count (`three benchmarks` supports `3개`).
Left unchecked on purpose: numbers written as Korean words (`두 배`), and counts of 1-10 written with
a counting word (`2가지`, `3단계`, `5종`) or numbering a list item (`(2)`), which describe the shape
of the explanation rather than a result. Derived numbers (a difference such as `16.5%p` from `52.4%`
to `68.9%`) are rejected: the model is told to repeat the paper's numbers, not to compute new ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

# Digits not glued to a preceding digit, point or comma: "1,341", "3.5", the "4" of "GPT-4o".
_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")
_KOREAN_SCALE = {"천": 10**3, "만": 10**4, "억": 10**8, "조": 10**12}
_LATIN_SCALE = {"k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}
_WORD_SCALE = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_SCALE = re.compile(r"([천만억조])|([kKmMbBtT])(?![A-Za-z])|\s?(thousand|million|billion|trillion)\b", re.I)
_COUNTER = re.compile(r"\s?(?:가지|단계|번째|차례|종류|종)")
_UNIT = re.compile(r"\s?(?:%p?|배|x|×|점|초)")
MAX_COUNT = 10
_ONE_TO_TWENTY = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten") + (
    ("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen")
    + ("nineteen", "twenty")
)
_WORDS: dict[str, int | Decimal] = {
    **{word: i for i, word in enumerate(_ONE_TO_TWENTY, start=1)},
    **{"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12, "zero": 0},
    **{"single": 1, "twice": 2, "double": 2, "triple": 3, "half": Decimal("0.5")},
    **{"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5},
}
_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b(?:[\s-](thousand|million|billion|trillion)\b)?", re.I)


def _scale(text: str, end: int) -> tuple[int, int]:
    """The multiplier written right after a number ending at `end`, and where it ends."""
    found = _SCALE.match(text, end)
    if found is None:
        return 1, end
    korean, latin, word = found.groups()
    if korean:
        return _KOREAN_SCALE[korean], found.end()
    if latin:
        return _LATIN_SCALE[latin.lower()], found.end()
    return _WORD_SCALE[word.lower()], found.end()


def _values(match: re.Match[str], text: str) -> tuple[frozenset[Decimal], int]:
    """The number as written and as scaled (`12만` → 12 and 120000), and where it ends."""
    value = Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))
    factor, end = _scale(text, match.end())
    return frozenset({value, value * factor}), end


def source_values(texts: Iterable[str | None]) -> frozenset[Decimal]:
    """Every number the source texts state, in digits or as an English number word."""
    found: set[Decimal] = set()
    for text in texts:
        for match in _NUMBER.finditer(text or ""):
            found |= _values(match, text or "")[0]
        for match in _WORD.finditer(text or ""):
            value = Decimal(_WORDS[match.group(1).lower()])
            found |= {value, value * _WORD_SCALE.get((match.group(2) or "").lower(), 1)}
    return frozenset(found)


def _is_count(match: re.Match[str], text: str) -> bool:
    """A small whole number that counts (`2가지`, `3단계`) or numbers a list item (`(2)`, `2)`)."""
    if match.group(2) is not None or int(match.group(1).replace(",", "")) > MAX_COUNT:
        return False
    before = text[match.start() - 1] if match.start() else " "
    item = text.startswith(")", match.end()) and (before == "(" or before.isspace())
    return item or _COUNTER.match(text, match.end()) is not None


def unsupported_numbers(text: str, sources: frozenset[Decimal]) -> list[str]:
    """The numbers of `text` (as written, with their unit) that no source states."""
    missing: list[str] = []
    for match in _NUMBER.finditer(text):
        values, end = _values(match, text)
        if values & sources or _is_count(match, text):
            continue
        unit = _UNIT.match(text, end)
        missing.append(text[match.start() : unit.end() if unit else end].strip())
    return list(dict.fromkeys(missing))
