"""Matching free text against field names: normalization, alias lookup and jamo-level fuzzy search."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from rapidfuzz import fuzz, process

MAX_TEXT = 100
"""Longer text is not a field name; it is refused before any fuzzy work."""

FUZZY_CUTOFF = 80.0
"""Indel similarity (0–100) over jamo strings. One wrong jamo in a two-syllable word
(`비젼` for `비전`, 5 jamo each) scores exactly 80; unrelated words stay far below."""

SHORT_QUERY = 7
SHORT_CUTOFF = 85.0
"""Queries under seven jamo or letters (any two-syllable word) need 85: a dropped letter still
passes (`agnt`), a swapped one does not, so `수박` is not read as `수학` nor `안정` as `안전`."""

AMBIGUITY_MARGIN = 3.0
"""A fuzzy winner must beat the best other field by this much, or it is only a suggestion."""

_PAREN = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_SPACED_DOT = re.compile(r"\s+[·・•]\s+")
_LABEL_SEPARATORS = ",;、|\n"
_WORD = re.compile(r"[^\W_]+")
_ASCII_PIECE = re.compile(r"[a-z0-9]+|[^a-z0-9]+")
_MAX_RUN = 6


def fold(text: str) -> str:
    """NFKC and casefold, so full-width letters, compatibility jamo and case all compare equal."""
    return unicodedata.normalize("NFKC", text).casefold()


def normalize(text: str) -> str:
    """The comparison key: folded text with only letters and digits left (no spaces, dashes, dots)."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def jamo(key: str) -> str:
    """Hangul syllables split into conjoining jamo, so a one-letter typo costs one jamo."""
    return unicodedata.normalize("NFD", key)


def split_labels(text: str) -> list[str]:
    """Split a 관련분야 line at top-level commas, semicolons and spaced middle dots."""
    text = _SPACED_DOT.sub(",", text)
    parts: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch in "([（":
            depth += 1
        elif ch in ")]）":
            depth = max(depth - 1, 0)
        elif depth == 0 and ch in _LABEL_SEPARATORS:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def label_parts(label: str) -> list[str]:
    """The label, the text outside parentheses, then each parenthesized part."""
    outside = _PAREN.sub(" ", label).strip()
    inside = [m.strip() for m in _PAREN.findall(label) if m.strip()]
    return [label, outside, *inside]


def ascii_runs(text: str) -> set[str]:
    """Every run of up to six adjacent ASCII words, joined: where an English alias may sit."""
    runs: set[str] = set()
    segment: list[str] = []
    for word in _WORD.findall(fold(text)):
        for piece in _ASCII_PIECE.findall(word):
            if piece.isascii():
                segment.append(piece)
            else:
                _add_runs(segment, runs)
                segment = []
    _add_runs(segment, runs)
    return runs


def _add_runs(words: Sequence[str], runs: set[str]) -> None:
    for i in range(len(words)):
        for j in range(i + 1, min(i + _MAX_RUN, len(words)) + 1):
            runs.add("".join(words[i:j]))


class AliasIndex:
    """Normalized names of every field: exact lookup, contained-alias search and fuzzy search."""

    def __init__(self, names: Iterable[tuple[str, int]]) -> None:
        self._exact: dict[str, int] = {}
        for key, index in names:
            self._exact.setdefault(key, index)
        self._longest_first = sorted(self._exact.items(), key=lambda item: -len(item[0]))
        self._keys = list(self._exact)
        self._jamo = [jamo(k) for k in self._keys]
        self._owners = [self._exact[k] for k in self._keys]

    def exact(self, text: str) -> int | None:
        """The field whose code, name or alias equals the text after normalization."""
        return self._exact.get(normalize(text))

    def contained(self, text: str, min_share: float = 0.0) -> int | None:
        """The field of the longest alias inside the text (English aliases on word boundaries),
        if that alias makes up at least `min_share` of the text."""
        key = normalize(text)
        runs = ascii_runs(text)
        hits: list[tuple[int, int, int]] = []
        for alias, index in self._longest_first:
            if hits and len(alias) < hits[0][0]:
                break
            if len(alias) < min_share * len(key):
                return None
            if (alias in runs) if alias.isascii() else (alias in key):
                hits.append((len(alias), index, key.find(alias)))
        # Of equally long aliases, the one that comes first in the text wins.
        return min(hits, key=lambda hit: hit[2])[1] if hits else None

    def ranked(self, text: str, scorer: Callable[..., float] = fuzz.ratio) -> list[tuple[int, float]]:
        """Fields by their best fuzzy score against the text, best first."""
        query = jamo(normalize(text[: MAX_TEXT * 2]))[: MAX_TEXT * 4]
        if not query:
            return []
        best: dict[int, float] = {}
        for _choice, score, pos in process.extract(query, self._jamo, scorer=scorer, limit=None):
            owner = self._owners[pos]
            best[owner] = max(best.get(owner, 0.0), score)
        return sorted(best.items(), key=lambda item: (-item[1], item[0]))

    def fuzzy(self, text: str) -> int | None:
        """The field a typo most likely meant, when one field is clearly closest."""
        ranked = self.ranked(text)
        short = len(jamo(normalize(text[: SHORT_QUERY * 2]))) < SHORT_QUERY
        if not ranked or ranked[0][1] < (SHORT_CUTOFF if short else FUZZY_CUTOFF):
            return None
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < AMBIGUITY_MARGIN:
            return None
        return ranked[0][0]

    def closest(self, text: str, limit: int = 3) -> list[int]:
        """The `limit` fields that look most like the text, for a "did you mean" reply."""
        ranked = self.ranked(text, scorer=fuzz.WRatio)
        chosen = [index for index, score in ranked if score > 0][:limit]
        for index in sorted(set(self._owners)):
            if len(chosen) >= limit:
                break
            if index not in chosen:
                chosen.append(index)
        return chosen
