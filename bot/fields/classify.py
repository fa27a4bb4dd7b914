"""Keyword classifier: one compiled pattern finds every field keyword in a text in a single pass."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

TITLE_WEIGHT = 3.0
KEYWORDS_WEIGHT = 2.0
ABSTRACT_WEIGHT = 1.0
RELATIVE_CUTOFF = 0.4
"""A runner-up field is kept when it scores at least this share of the best field."""
SECONDARY_MIN = 2.0
"""...and at least this much, so one stray abstract word never adds a field."""
MAX_FIELDS = 3
MAX_CHARS = 20_000
"""Text beyond this is ignored; an abstract is a few thousand characters at most."""

_ASCII_START = r"(?=[A-Za-z0-9])(?<![A-Za-z0-9])"  # an English word starts here
_HANGUL_START = r"(?=[^\x00-\x7f])(?<![\uac00-\ud7a3])"  # a Korean word starts here
_ASCII_AFTER = r"(?:e?s)?(?![A-Za-z0-9])"
_FOLDED_AFTER = r"(?:[eE]?[sS])?(?![A-Za-z0-9])"
_SEPARATOR = r"[\s\-\u2010-\u2014]+"  # between English words: spaces, hyphens or dashes
_HANGUL_GAP = r"[\s\-\u2010-\u2014]*"  # Korean terms are often written without their spaces
_END = ""  # trie key for "a keyword ends here"; never a real character


@dataclass(frozen=True)
class Keyword:
    """One classifier term of one field."""

    term: str
    field: int
    weight: float = 1.0


class KeywordMatcher:
    """Scores fields by the keywords found in a paper's title, keywords and abstract."""

    def __init__(self, keywords: Iterable[Keyword], n_fields: int, fallback: int) -> None:
        self._targets: dict[str, list[tuple[int, float]]] = defaultdict(list)
        names: dict[str, str] = {}
        tries: dict[str, dict] = {"ascii": {}, "cased": {}, "other": {}}
        folded: dict[str, dict] = {"ascii": {}, "cased": tries["cased"], "other": {}}
        for kw in keywords:
            term = kw.term.strip()
            kind = _trie_kind(term)
            key = term if kind == "cased" else term.lower()
            if key not in names:
                names[key] = f"k{len(names)}"
                _insert(tries[kind], term, names[key])
                if kind == "ascii":
                    _insert(folded["ascii"], term, names[key], fold=True)
            self._targets[names[key]].append((kw.field, kw.weight))
        self._pattern = _compile(tries)
        # ASCII text (most abstracts) cannot hold a Korean term: its pattern skips that branch. It
        # spells out both cases of each letter, which lets the engine rule out most terms by their
        # first character; it also takes the character before the term, which the engine finds by
        # a quick scan of the text instead of trying the word-start guards at every position.
        english = _compile(folded, ignore_case=False)
        self._ascii_pattern = re.compile(f"[^A-Za-z0-9](?:{english.pattern})") if english else None
        self._n_fields = n_fields
        self._fallback = fallback

    def found(self, text: str) -> set[str]:
        """The marker names of the distinct terms present in the text."""
        if not isinstance(text, str) or not text:
            return set()
        text = text[:MAX_CHARS]
        if text.isascii():
            return self._found_ascii(text)
        if self._pattern is None:
            return set()
        return {m.lastgroup for m in self._pattern.finditer(text) if m.lastgroup}

    def _found_ascii(self, text: str) -> set[str]:
        """`found` for ASCII text. Each search resumes on the last character of the previous term,
        which may be the character before the next one, so the terms found are the same."""
        found: set[str] = set()
        if self._ascii_pattern is None:
            return found
        search = self._ascii_pattern.search
        text = " " + text  # a term at the very start follows this space
        pos = 0
        while match := search(text, pos):
            if match.lastgroup:
                found.add(match.lastgroup)
            pos = match.end() - 1
        return found

    def scores(self, title: str, abstract: str | None, keywords: Sequence[str]) -> list[float]:
        """Each field's weighted keyword score."""
        totals = [0.0] * self._n_fields
        segments = (
            (title or "", TITLE_WEIGHT),
            (" ; ".join(k for k in keywords if isinstance(k, str)), KEYWORDS_WEIGHT),
            (abstract or "", ABSTRACT_WEIGHT),
        )
        for text, weight in segments:
            for name in self.found(text):
                for field, kw_weight in self._targets[name]:
                    totals[field] += weight * kw_weight
        return totals

    def classify(self, title: str, abstract: str | None, keywords: Sequence[str]) -> list[int]:
        """1–3 field indexes, best first; the fallback field when nothing matches."""
        totals = self.scores(title, abstract, keywords)
        ranked = sorted(range(self._n_fields), key=lambda i: (-totals[i], i))
        best = totals[ranked[0]]
        if best <= 0:
            return [self._fallback]
        chosen = [ranked[0]]
        for i in ranked[1:MAX_FIELDS]:
            if totals[i] >= max(best * RELATIVE_CUTOFF, SECONDARY_MIN):
                chosen.append(i)
        return chosen


def _trie_kind(term: str) -> str:
    if not term[0].isascii():
        return "other"
    return "ascii" if term.islower() or not any(c.isalpha() for c in term) else "cased"


def _insert(trie: dict, term: str, group: str, fold: bool = False) -> None:
    """Add a term as a chain of regex atoms; a trailing '*' accepts any word ending. With `fold`,
    each letter matches both its cases without the IGNORECASE flag (equivalent on ASCII text)."""
    prefix = term.endswith("*")
    body = term.rstrip("*").strip()
    if _trie_kind(term) == "ascii":
        body = body.lower()
    node = trie
    for atom in _atoms(body):
        node = node.setdefault(_folded(atom) if fold else atom, {})
    if prefix:
        tail = r"[A-Za-z0-9]*"
    elif body[-1].isascii() and body[-1].isalnum():
        tail = _FOLDED_AFTER if fold else _ASCII_AFTER
    else:
        tail = ""
    node.setdefault(_END, []).append(f"{tail}(?P<{group}>)")


def _atoms(body: str) -> list[str]:
    """Regex pieces of a term. Each distinct spelling gets one path through the trie, which is
    what lets the continuation-first order of `_emit` find the longest keyword."""
    if body[0].isascii():
        words = re.split(r"[\s\-]+", body)
        return [atom for i, w in enumerate(words) for atom in ([_SEPARATOR] if i else []) + _escaped(w)]
    chars = _escaped(ch for ch in body if ch not in " -")
    return chars[:1] + [_HANGUL_GAP + ch for ch in chars[1:]]


def _folded(atom: str) -> str:
    """An ASCII letter as a class of both its cases; any other atom as it is."""
    if len(atom) == 1 and atom.isascii() and atom.isalpha():
        return f"[{atom.lower()}{atom.upper()}]"
    return atom


def _escaped(chars: Iterable[str]) -> list[str]:
    return [re.escape(ch) for ch in chars]


def _emit(node: dict) -> str:
    """Regex for a trie node: longer continuations first, so the longest keyword wins."""
    branches = [atom + _emit(child) for atom, child in node.items() if atom != _END]
    branches += node.get(_END, [])
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def _first_chars(trie: dict) -> str:
    """A lookahead for the characters the trie's terms start with; none unless each is one character."""
    atoms = [atom for atom in trie if atom != _END]
    if not atoms or not all(len(atom) == 1 or (len(atom) == 2 and atom[0] == "\\") for atom in atoms):
        return ""
    return f"(?=[{''.join(atoms)}])"


def _compile(tries: dict[str, dict], ignore_case: bool = True) -> re.Pattern[str] | None:
    """One pattern for all terms. The lookaheads are cheap guards that skip both branches at
    most positions; without them the pattern is three times slower."""
    english = []
    if tries["ascii"]:
        ascii_terms = _emit(tries["ascii"])
        english.append(f"(?i:{ascii_terms})" if ignore_case else ascii_terms)
    if tries["cased"]:
        # Few words start with the first letter of a cased term (mostly capitals): a class of those
        # letters turns the rest away before the engine tries each branch.
        english.append(_first_chars(tries["cased"]) + _emit(tries["cased"]))
    parts = []
    if english:
        parts.append(f"{_ASCII_START}(?:{'|'.join(english)})")
    if tries["other"]:
        parts.append(f"{_HANGUL_START}(?i:{_emit(tries['other'])})")
    return re.compile("|".join(parts)) if parts else None
