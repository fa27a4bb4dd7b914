"""The field taxonomy (관련분야): the data file, the forgiving resolver and the keyword classifier."""

from bot.fields.taxonomy import (
    DEFAULT_PATH,
    FALLBACK_CODE,
    MAX_LABEL_FIELDS,
    Field,
    Resolution,
    Taxonomy,
    default_taxonomy,
    load_taxonomy,
)

__all__ = [
    "DEFAULT_PATH",
    "FALLBACK_CODE",
    "MAX_LABEL_FIELDS",
    "Field",
    "Resolution",
    "Taxonomy",
    "default_taxonomy",
    "load_taxonomy",
]
