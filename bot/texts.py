"""Every Korean sentence and label users see, in one place for review."""

from __future__ import annotations

# --- Card labels (SPEC §2, in this order) ---
LABEL_TITLE = "제목"
LABEL_EASY = "쉬운설명"
LABEL_FIELDS = "관련분야"
LABEL_VOTES = "추천수"
LABEL_LINK = "link"
LABEL_PDF = "PDF"
LABEL_SUMMARY = "요약"
VOTES_UNKNOWN = "–"
FIELD_SEPARATOR = " · "
ENGLISH_MARK = "(영문 요약)"  # precedes an English fallback text on a card
NO_DESCRIPTION = "(설명이 아직 없습니다)"


def digest_header(day: str, n: int) -> str:
    """Header line of a day's digest."""
    return f"📰 {day} 허깅페이스 인기 논문 TOP {n}"


def field_header(field_name: str, days: int, n: int) -> str:
    """Header line of a field's top papers."""
    return f"🔎 {field_name} 분야 최근 {days}일 인기 논문 TOP {n}"


def continued_header(header: str, part: int, parts: int) -> str:
    """Header of the second and later message of a split digest."""
    return f"{header} ({part}/{parts})"
