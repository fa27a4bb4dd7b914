"""The field taxonomy (관련분야): an editable TOML file, a forgiving name resolver, a digest-label
mapper and a keyword classifier."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.fields.classify import Keyword, KeywordMatcher
from bot.fields.file import one_line, read_specs
from bot.fields.match import MAX_TEXT, AliasIndex, label_parts, normalize, split_labels

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "fields.toml"
FALLBACK_CODE = "ai"
MAX_LABEL_FIELDS = 3
RESOLVE_MIN_SHARE = 0.5
"""A name inside longer user text counts when it is at least half of it: `강화학습 논문` is rl,
`pizza ai` is nothing."""


@dataclass(frozen=True)
class Field:
    """One research field: its fixed code, Korean name, aliases and classifier keywords."""

    code: str
    name: str
    aliases: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Resolution:
    """The field a user's text names, or the closest fields when it names none."""

    field: Field | None
    suggestions: tuple[Field, ...] = ()


class Taxonomy:
    """The fields in display order, with lookup, resolution, label mapping and classification."""

    def __init__(self, fields: Sequence[Field], weights: Sequence[Sequence[float]] | None = None) -> None:
        self.fields: tuple[Field, ...] = tuple(fields)
        self._by_code = {f.code: f for f in self.fields}
        if FALLBACK_CODE not in self._by_code:
            raise ValueError(f"the taxonomy needs the catch-all field {FALLBACK_CODE!r}")
        self._index = AliasIndex(_names(self.fields))
        weights = weights or [[1.0] * len(f.keywords) for f in self.fields]
        keywords = [
            Keyword(term, i, w)
            for i, (f, ws) in enumerate(zip(self.fields, weights, strict=True))
            for term, w in zip(f.keywords, ws, strict=True)
        ]
        fallback = self.fields.index(self._by_code[FALLBACK_CODE])
        self._matcher = KeywordMatcher(keywords, len(self.fields), fallback)

    def get(self, code: str) -> Field | None:
        """The field with this code (case and surrounding spaces ignored)."""
        if not isinstance(code, str):
            return None
        return self._by_code.get(code) or self._by_code.get(code.strip().lower())

    def name(self, code: str) -> str:
        """The Korean name of a code; the code itself when unknown."""
        field = self.get(code)
        return field.name if field else code

    def resolve_exact(self, text: str) -> Field | None:
        """The field whose code, name or alias equals the text, ignoring case, spaces and punctuation."""
        if not isinstance(text, str) or len(text) > MAX_TEXT * 4:
            return None
        index = self._index.exact(text)
        return None if index is None else self.fields[index]

    def resolve(self, text: str) -> Resolution:
        """User text → field: an exact name or alias, else a typo-tolerant match, else a name that
        makes up most of the text; otherwise up to three suggestions. Never raises."""
        if not isinstance(text, str):
            return Resolution(None)
        text = text.strip()
        if not normalize(text[: MAX_TEXT + 1]):
            return Resolution(None)
        if len(text) > MAX_TEXT:
            return Resolution(None)
        for part in dict.fromkeys(label_parts(text)):
            if (index := self._index.exact(part)) is not None:
                return Resolution(self.fields[index])
        index = self._index.fuzzy(text)
        if index is None:
            index = self._index.contained(text, min_share=RESOLVE_MIN_SHARE)
        if index is not None:
            return Resolution(self.fields[index])
        return Resolution(None, tuple(self.fields[i] for i in self._index.closest(text)))

    def map_labels(self, labels: Iterable[str]) -> list[str]:
        """Digest 관련분야 labels → up to three distinct codes in order of first appearance."""
        codes: list[str] = []
        for item in [labels] if isinstance(labels, str) else labels:
            if not isinstance(item, str):
                continue
            for label in split_labels(item[: MAX_TEXT * 10]):
                code = self._label_code(label)
                if code is not None and code not in codes:
                    codes.append(code)
                if len(codes) == MAX_LABEL_FIELDS:
                    return codes
        return codes

    def _label_code(self, label: str) -> str | None:
        """One label: whole, outside and inside parentheses exactly, then contained alias, then fuzzy."""
        if len(label) > MAX_TEXT:
            return None
        parts = label_parts(label)
        index = next((i for p in parts if (i := self._index.exact(p)) is not None), None)
        if index is None:
            index = self._index.contained(label)
        if index is None:
            index = next((i for p in parts[1:] if (i := self._index.fuzzy(p)) is not None), None)
        return None if index is None else self.fields[index].code

    def classify(self, title: str, abstract: str | None = None, keywords: Sequence[str] = ()) -> list[str]:
        """1–3 codes from keywords in the title (×3), `ai_keywords` (×2) and abstract (×1), best first."""
        found = self._matcher.classify(title or "", abstract, keywords or ())
        return [self.fields[i].code for i in found]


def _names(fields: Sequence[Field]) -> list[tuple[str, int]]:
    """Every normalized code, name and alias with its field; an alias may belong to one field only."""
    owner: dict[str, int] = {}
    for i, f in enumerate(fields):
        for raw in (f.code, f.name, *f.aliases):
            key = normalize(raw)
            if not key:
                raise ValueError(f"field {f.code!r}: alias {raw!r} has no letters or digits")
            other = owner.setdefault(key, i)
            if other != i:
                raise ValueError(f"{raw!r} is a name of both {fields[other].code!r} and {f.code!r}")
    return list(owner.items())


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The taxonomy in a TOML file (the bundled one by default); ValueError names what is wrong."""
    path = Path(path) if path is not None else DEFAULT_PATH
    specs = read_specs(path)
    fields = [Field(s.code, s.name, s.aliases, s.keywords) for s in specs]
    try:
        return Taxonomy(fields, [s.weights for s in specs])
    except ValueError as exc:
        raise ValueError(f"{path}: {one_line(exc)}") from None


@functools.cache
def default_taxonomy() -> Taxonomy:
    """The bundled taxonomy, loaded once."""
    return load_taxonomy()
