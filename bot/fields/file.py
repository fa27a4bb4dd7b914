"""Reading and checking the taxonomy TOML file, with one-line errors that say what to fix."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, NamedTuple

_CODE = re.compile(r"^[a-z0-9_]{1,32}$")
_FIELD_KEYS = {"code", "name", "aliases", "keywords"}
MAX_WEIGHT = 100


class FieldSpec(NamedTuple):
    """One [[field]] table as read from the file."""

    code: str
    name: str
    aliases: tuple[str, ...]
    keywords: tuple[str, ...]
    weights: tuple[float, ...]


def read_specs(path: Path) -> list[FieldSpec]:
    """The fields of a taxonomy file, in file order; ValueError names the file and the problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read field taxonomy {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid TOML: {one_line(exc)}") from None
    try:
        return parse_specs(data)
    except ValueError as exc:
        raise ValueError(f"{path}: {one_line(exc)}") from None


def parse_specs(data: dict[str, Any]) -> list[FieldSpec]:
    """Check the parsed TOML document and return its fields."""
    tables = data.get("field")
    if not isinstance(tables, list) or not tables:
        raise ValueError("no [[field]] tables")
    specs: list[FieldSpec] = []
    for n, table in enumerate(tables, start=1):
        spec = _parse_field(table, n)
        if any(s.code == spec.code for s in specs):
            raise ValueError(f"field code {spec.code!r} appears twice")
        specs.append(spec)
    return specs


def _parse_field(table: Any, n: int) -> FieldSpec:
    if not isinstance(table, dict):
        raise ValueError(f"field #{n} is not a table")
    code = table.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        raise ValueError(f"field #{n}: code must be 1-32 lowercase letters, digits or '_' (got {code!r})")
    where = f"field {code!r}"
    if unknown := set(table) - _FIELD_KEYS:
        raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}: name must be a non-empty string")
    aliases = table.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ValueError(f"{where}: aliases must be a list of non-empty strings")
    terms, weights = _parse_keywords(table.get("keywords", []), where)
    return FieldSpec(code, name.strip(), tuple(a.strip() for a in aliases), terms, weights)


def _parse_keywords(raw: Any, where: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    if not isinstance(raw, list):
        raise ValueError(f"{where}: keywords must be a list")
    terms: list[str] = []
    weights: list[float] = []
    for item in raw:
        term, weight = (item, 1.0) if isinstance(item, str) else _weighted(item, where)
        if not any(ch.isalnum() for ch in term):
            raise ValueError(f"{where}: keyword {term!r} has no letters or digits")
        terms.append(term.strip())
        weights.append(weight)
    return tuple(terms), tuple(weights)


def _weighted(item: Any, where: str) -> tuple[str, float]:
    ok = (
        isinstance(item, list)
        and len(item) == 2
        and isinstance(item[0], str)
        and isinstance(item[1], int | float)
        and not isinstance(item[1], bool)
        and 0 < item[1] <= MAX_WEIGHT
    )
    if not ok:
        raise ValueError(
            f'{where}: keyword {item!r} must be a string or a ["term", weight] pair, 0 < weight ≤ 100'
        )
    return item[0], float(item[1])


def one_line(exc: BaseException) -> str:
    """An exception message folded onto one line."""
    return " ".join(str(exc).split())
