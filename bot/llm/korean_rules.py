"""Is a text Korean as Korean ML writers write it, and is it not the prompt's own instructions?

Korean technical prose keeps English terms, model names and numbers inline (`이 논문은 LLM의
test-time scaling을 다룹니다.`), so counting letters is wrong: `scaling` weighs seven Latin letters
against one Hangul particle. The rule counts a Latin *word* as two Hangul syllables (about what a
term costs to say in Korean) and asks for at least 30% Korean by that measure, outside parentheses
and quotes. English prose gives itself away by its function words (`the`, `of`, `with`), which a term
never needs, so three of them outside parentheses and quotes reject the text too. Calibrated in
tests/test_korean_rules.py: the seed digests' paragraphs score at least 0.77 and the 60+ written
answers at least 0.58, with at most one function word; English texts, with or without a Korean
ending, score at most 0.15, and an English clause glued into Korean (`이 논문은 a new method for …을
제안합니다`) scores 0.41 but carries three function words.
"""

from __future__ import annotations

import re

from bot.llm import prompt

MIN_KOREAN_SHARE = 0.3
LATIN_WORD_WEIGHT = 2
MAX_ENGLISH_FUNCTION_WORDS = 2
MAX_FOREIGN_SCRIPT_SHARE = 0.1  # Chinese characters or Japanese kana among the CJK letters
MIN_WORDS = 3
MAX_PROMPT_OVERLAP = 0.35  # share of the text's 3-syllable pieces found in the prompt's rules
MAX_INSTRUCTION_MARKERS = 1

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’.+-]*")
_PARENTHESES = re.compile(r"\([^()]*\)|（[^（）]*）")
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|'[^'\s][^']*'|‘[^’]*’|「[^」]*」|『[^』]*』|`[^`]*`")
_FUNCTION_WORDS = frozenset(
    ("the", "a", "an", "of", "to", "in", "on", "for", "and", "with", "we", "is", "are", "was", "were")
    + ("this", "that", "these", "by", "from", "our", "it", "its", "as", "at", "be", "can", "which")
    + ("their", "they", "has", "have", "how", "not", "but", "or")
)
# Phrases that talk about writing the answer rather than about the paper.
_INSTRUCTION_MARKERS = tuple(
    re.compile(p)
    for p in (
        r"쉬운\s?설명",
        r"요약(?:은|문)",
        r"\d+\s*~\s*\d+\s*문장",
        r"\d+\s*자\s*(?:이내|를|까지)",
        r"말투",
        r"(?:작성|설명|답)해\s*(?:야|주세요)",
        r"한국어로\s*(?:작성|씁|쓰)",
        r"괄호",
        r"전공자",
        r"영어\s*(?:전문\s*)?용어",
        r"논문\s*정보",
        r"(?:코드|분야)만\s*적",
        r"JSON",
        r"<paper>",
    )
)
_PIECE_CHARS = re.compile(r"[^\uac00-\ud7a3A-Za-z0-9~]")


def _outside(text: str) -> str:
    """The text without what stands in parentheses (innermost first) or quotes."""
    previous = None
    while text != previous:
        previous, text = text, _PARENTHESES.sub(" ", text)
    return _QUOTED.sub(" ", text)


def korean_share(text: str) -> float:
    """Hangul syllables / (syllables + 2 × Latin words), outside parentheses and quotes."""
    outside = _outside(text)
    hangul, words = len(_HANGUL.findall(outside)), len(_LATIN_WORD.findall(outside))
    total = hangul + LATIN_WORD_WEIGHT * words
    return hangul / total if total else 0.0


def _function_words(text: str) -> int:
    return sum(1 for word in _LATIN_WORD.findall(_outside(text)) if word.lower() in _FUNCTION_WORDS)


def _foreign_script_share(text: str) -> float:
    foreign = len(_HAN.findall(text)) + len(_KANA.findall(text))
    total = foreign + len(_HANGUL.findall(text))
    return foreign / total if total else 0.0


def language_problem(text: str) -> str | None:
    """Why `text` is not usable Korean prose, or None when it is."""
    if _foreign_script_share(_outside(text)) > MAX_FOREIGN_SCRIPT_SHARE:
        return "must be written in Korean, not Chinese or Japanese"
    if len(text.split()) < MIN_WORDS:
        return "is empty or too short"
    if korean_share(text) < MIN_KOREAN_SHARE or _function_words(text) > MAX_ENGLISH_FUNCTION_WORDS:
        return "must be written in Korean (English terms and names are fine, English sentences are not)"
    return None


def _pieces(text: str) -> set[str]:
    squeezed = _PIECE_CHARS.sub("", text)
    return {squeezed[i : i + 3] for i in range(len(squeezed) - 2)}


_PROMPT_PIECES = _pieces(prompt.SYSTEM_TEMPLATE + prompt.RETRY_TEMPLATE)


def prompt_overlap(text: str) -> float:
    """Share of the text's 3-character pieces that also occur in the prompt's rules and examples."""
    pieces = _pieces(text)
    return len(pieces & _PROMPT_PIECES) / len(pieces) if pieces else 0.0


def instruction_markers(text: str) -> int:
    """How many phrases about writing the answer (쉬운설명, 말투, 300자 이내, …) the text uses."""
    return sum(1 for marker in _INSTRUCTION_MARKERS if marker.search(text))


def echo_problem(text: str) -> str | None:
    """Why `text` looks like the instructions repeated rather than an answer, or None."""
    if prompt_overlap(text) >= MAX_PROMPT_OVERLAP or instruction_markers(text) > MAX_INSTRUCTION_MARKERS:
        return "repeats the instructions instead of describing the paper"
    return None


def text_problem(text: str) -> str | None:
    """Why `text` cannot be a Korean 요약 or 쉬운설명 (language or echoed instructions), or None."""
    return language_problem(text) or echo_problem(text)
