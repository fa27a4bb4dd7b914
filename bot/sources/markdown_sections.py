"""Text helpers for the markdown digest importer: ids and links, card labels, votes, plain sentences."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from bot.sources.storable import MAX_COUNT, clean_text

# A new-style arXiv id (2502.06703) or an old-style one (hep-th/9901001, math.GT/0309136), no version.
# ASCII digits only: \d would also take "２５０２" or "٢٥٠٢".
ARXIV_ID = r"(?:[0-9]{4}\.[0-9]{4,5}(?![0-9])|[a-z][a-z\-]*(?:\.[A-Z]{2})?/[0-9]{7}(?![0-9]))"

# A whole string that is an arXiv id, optionally versioned ("2502.06703v2") or prefixed ("arXiv:").
_ID_RE = re.compile(rf"^(?:arxiv:\s*)?({ARXIV_ID})(?:v[0-9]+)?$", re.I)
# A Hugging Face paper page: https://huggingface.co/papers/<id> (not the cdn-thumbnails host).
_HF_LINK_RE = re.compile(rf"https?://(?:www\.)?huggingface\.co/papers/({ARXIV_ID})", re.I)
# An arXiv abstract, PDF or HTML page: https://arxiv.org/abs/<id>, /pdf/<id>v2.pdf, /html/<id>.
_ARXIV_LINK_RE = re.compile(rf"https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/({ARXIV_ID})", re.I)
# A card label line: "**요약**:", "**관련분야:**", "추천수: 12", "**PDF 다운로드 링크**: [PDF](url)".
_LABEL_RE = re.compile(
    r"^(?:\*\*|__)?\s*(요약|쉬운\s*설명|관련\s*분야|추천\s*수|PDF[^:*_\]]*?|(?:논문\s*)?링크)\s*"
    r"(?:(?:\*\*|__)\s*[:：]|[:：]\s*(?:\*\*|__)?)\s*(.*)$"
)
# A vote count: the first number, ASCII digits optionally grouped with commas ("121", "1,234"), with
# its minus sign if it has one ("-3" is refused later, never read as 3). A lone "–" means unknown.
_NUMBER_RE = re.compile(r"([-−–]\s*)?([0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)")
# An inline link or image: [text](url) or ![alt](url); keeps the text.
_INLINE_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Emphasis and code markers: *, **, ***, `; underscores only at word edges (not in snake_case).
_EMPHASIS_RE = re.compile(r"\*{1,3}|(?<!\w)_{1,3}|_{1,3}(?!\w)|`")
# A list marker or heading marker at the start of a line: "- ", "* ", "+ ", "1. ", "2) ", "## ".
_LINE_MARK_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)]|#{1,6})\s+")
# Whitespace after a sentence end (., !, ?, 。); "94.0" has none, so numbers stay whole.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?。])\s+")
# "논문 요약" before a title: "논문 요약: T", "[논문 요약] T", "(논문 요약) T".
_SUMMARY_PREFIX_RE = re.compile(r"^(?:[\[(]\s*논문\s*요약\s*[\])]|논문\s*요약\s*[:：\-–—|])\s*")
# "논문 요약" after a title: "T: 논문 요약", "T - 논문 요약", "T (논문 요약)".
_SUMMARY_SUFFIX_RE = re.compile(r"(?:\s*[:：\-–—|]\s*|\s*[\[(]\s*)논문\s*요약\s*[\])]?$")
# A heading that is only the decoration ("논문 요약"), with no title in it.
_BARE_SUMMARY_RE = re.compile(r"^[\[(]?\s*논문\s*요약\s*[\])]?$")

# A code fence opening or closing: ``` or ~~~ (with an optional language).
FENCE_RE = re.compile(r"^\s*(?:```|~~~)")
# A horizontal rule between entries: ---, ***, ___.
_RULE_RE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
# A line of a summary entry that is not summary text: "🔗 url", a bare url, "**Summary**:".
_SUMMARY_META_RE = re.compile(r"^\s*(?:🔗.*|<?https?://\S+>?|[*_]*\s*(?:Summary|요약)[*_:：\s]*)$", re.I)
# A summary's title heading (level 1 only): "# 논문 요약: Title".
_TITLE_LINE_RE = re.compile(r"^#\s+(.+)$")
# The heading of section 1 of a summary: "## 1. 핵심 동기와 문제 정의".
_SECTION_ONE_RE = re.compile(r"^#{2,4}\s*1\s*[.)]")
# A markdown heading of any level.
_HEADING_RE = re.compile(r"^#{1,6}\s")
# A line that is only an image, such as a thumbnail: ![](https://...).
_IMAGE_LINE_RE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$")
# A colon with optional emphasis around it, as in "***What's New***:" or "**Vote:**".
_COLON = r"\s*[*_]*\s*[:：]\s*[*_]*\s*"
# A daily-list section bullet: "- ***What's New***: ...", "- **Technical Details:** ...".
_DAILY_SECTION_RE = re.compile(
    rf"^\s*[-*+]?\s*[*_]*\s*(What['’]?s New|Technical Details|Performance Highlights){_COLON}(.*)$", re.I
)
# A daily-list vote line: "Vote: 12", "Votes : 1,234", "**Vote**: 6", "추천수: 3".
_VOTE_RE = re.compile(rf"^\s*[-*]?\s*[*_]*\s*(?:(?:up)?votes?|추천\s*수){_COLON}(.+)$", re.I)
# A daily-list author line: "Authors: A, B, C".
_AUTHORS_RE = re.compile(rf"^\s*[-*]?\s*[*_]*\s*authors?{_COLON}(.+)$", re.I)

# Runs of whitespace, and of three or more newlines (compiled once: the importer calls these per line).
_SPACES_RE = re.compile(r"\s+")
_BLANK_LINES_RE = re.compile(r"\n{3,}")

# A date anywhere in a line: 2025-05-21.
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")

Block = tuple[str, list[str]]  # an entry heading's text and the lines below it
LABEL_KEYS = {"요약": "summary", "쉬운설명": "easy", "관련분야": "fields", "추천수": "votes"}
QUOTE_PAIRS = {'"': '"', "“": "”", "'": "'", "‘": "’", "「": "」", "『": "』"}
DAILY_SECTIONS = {"whats new": "new", "technical details": "details", "performance highlights": "highlights"}
EASY_LIMIT = 300  # characters; a derived 쉬운설명 stays short enough for a card


def normalize_lines(text: str) -> list[str]:
    """A document's lines without a BOM, CR line endings or trailing spaces."""
    text = clean_text(text).lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [line.rstrip() for line in text.split("\n")]


def _is_fence(line: str) -> bool:
    # The substring test first: it is much cheaper than the regex, and most lines have neither.
    return ("`" in line or "~" in line) and bool(FENCE_RE.match(line))


def unfenced(lines: list[str]) -> Iterator[str]:
    """The lines outside code fences, lazily (a caller may stop at the first line it wants)."""
    fenced = False
    for line in lines:
        if _is_fence(line):
            fenced = not fenced
        elif not fenced:
            yield line


def split_blocks(lines: list[str], head_re: re.Pattern[str]) -> tuple[list[str], list[Block]]:
    """The lines before the first entry heading, and one block per entry (headings in fences ignored).

    Entry headings are markdown headings, so only lines starting with "#" are matched against `head_re`.
    """
    preamble: list[str] = []
    blocks: list[Block] = []
    fenced = False
    for line in lines:
        fenced ^= _is_fence(line)
        match = head_re.match(line) if not fenced and line.startswith("#") else None
        if match:
            blocks.append((match.group(1).strip(), []))
        else:
            (blocks[-1][1] if blocks else preamble).append(line)
    return preamble, blocks


def preamble_date(preamble: list[str]) -> dt.date | None:
    """The date in a heading (or in the header line) before the first entry; ValueError if invalid."""
    texts = [line for line in preamble if line.strip() and not _IMAGE_LINE_RE.match(line)]
    for line in [line for line in texts if _HEADING_RE.match(line)] + texts[:1]:
        match = _DATE_RE.search(line)
        if match:
            try:
                return dt.date(*map(int, match.groups()))
            except ValueError:
                raise ValueError(f"invalid date in the document: {line.strip()}") from None
    return None


def normalize_id(raw: str) -> str | None:
    """The arXiv id in `raw` without its version, or None when `raw` is not an id."""
    match = _ID_RE.match(raw.strip())
    return match.group(1) if match else None


def find_link(text: str) -> tuple[str, bool] | None:
    """The first paper linked in `text` as (arXiv id, links arXiv?), or None."""
    found = [
        (m.start(), m.group(1), is_arxiv)
        for is_arxiv, regex in ((False, _HF_LINK_RE), (True, _ARXIV_LINK_RE))
        for m in regex.finditer(text)
    ]
    if not found:
        return None
    _, paper_id, is_arxiv = min(found)
    return paper_id, is_arxiv


def card_label(line: str) -> tuple[str, str] | None:
    """(key, rest of line) for a card label line; key is summary/easy/fields/votes/link."""
    match = _LABEL_RE.match(line.strip())
    if not match:
        return None
    name = _SPACES_RE.sub("", match.group(1))
    return LABEL_KEYS.get(name, "link"), match.group(2).strip()


def parse_votes(value: str) -> int | None:
    """The vote count in `value` ("121", "1,234", "👍 57"), or None when it holds no number.

    Raises ValueError for a count the database cannot hold: negative, or beyond 32 bits.
    """
    match = _NUMBER_RE.search(value)
    if not match:
        return None
    digits = match.group(2).replace(",", "").lstrip("0") or "0"
    # (the length test first: int() refuses strings of thousands of digits)
    if match.group(1) or len(digits) > len(str(MAX_COUNT)) or int(digits) > MAX_COUNT:
        raise ValueError(f"votes {' '.join(match.group(0).split())[:20]} outside 0..{MAX_COUNT}")
    return int(digits)


def split_labels(value: str) -> tuple[str, ...]:
    """Comma-separated field names, ignoring commas inside parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in value.replace("，", ","):
        depth += (char in "([") - (char in ")]")
        if char == "," and depth <= 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return tuple(p.strip() for p in parts if p.strip())


def split_names(value: str) -> tuple[str, ...]:
    """Comma-separated names (an author list), stripped, empty ones dropped."""
    return tuple(name.strip() for name in value.split(",") if name.strip())


def join_text(lines: list[str]) -> str:
    """Lines as one text block: outer blank lines dropped, inner runs of blank lines reduced to one."""
    text = "\n".join(lines).strip()
    return _BLANK_LINES_RE.sub("\n\n", text)


def plain_text(markdown: str) -> str:
    """Markdown reduced to one line of plain text: no bullets, headings, links or emphasis."""
    lines = (_LINE_MARK_RE.sub("", line) for line in markdown.splitlines())
    text = " ".join(line.strip() for line in lines if line.strip())
    text = _EMPHASIS_RE.sub("", _INLINE_LINK_RE.sub(r"\1", text))
    return re.sub(r"\s+", " ", text).strip()


def first_sentences(markdown: str, count: int = 2, limit: int = EASY_LIMIT) -> str | None:
    """The first `count` sentences of `markdown` as plain text, at most `limit` characters."""
    sentences = [s for s in _SENTENCE_END_RE.split(plain_text(markdown)) if s]
    if not sentences:
        return None
    if len(sentences[0]) > limit:  # no sentence end in reach: cut at a word boundary
        return sentences[0][:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    text = sentences[0]
    for sentence in sentences[1:count]:
        if len(text) + 1 + len(sentence) > limit:
            break
        text = f"{text} {sentence}"
    return text


def clean_title(heading: str) -> str:
    """A summary heading without its "논문 요약" decoration or wrapping quotes."""
    title = _SUMMARY_SUFFIX_RE.sub("", _SUMMARY_PREFIX_RE.sub("", heading.strip())).strip()
    if len(title) > 1 and QUOTE_PAIRS.get(title[0]) == title[-1]:
        title = title[1:-1].strip()
    return "" if _BARE_SUMMARY_RE.match(title) else title


def split_fence(lines: list[str]) -> tuple[list[str], list[str]]:
    """The lines outside the first code fence, and the lines inside it (an unclosed fence runs to the end)."""
    outside: list[str] = []
    inside: list[str] = []
    state = "before"
    for line in lines:
        if FENCE_RE.match(line) and state != "after":
            state = "inside" if state == "before" else "after"
        else:
            (inside if state == "inside" else outside).append(line)
    return outside, inside


def summary_lines(body: list[str]) -> tuple[list[str], list[str]]:
    """A summary entry's lines outside the fence (its link), and its summary text (fenced or not)."""
    outside, inside = split_fence(body)
    if inside:
        return outside, inside
    return outside, [line for line in outside if not (_SUMMARY_META_RE.match(line) or _RULE_RE.match(line))]


def card_fields(body: list[str]) -> dict[str, str]:
    """A card's labelled texts by key ("title" holds the lines before the first label)."""
    fields: dict[str, list[str]] = {"title": []}
    current: str | None = "title"
    for line in body:
        label = card_label(line)
        if label:
            current = label[0]
            fields[current] = [label[1]]
        elif _RULE_RE.match(line):
            current = None  # what follows a rule belongs to the next card
        elif current and not _IMAGE_LINE_RE.match(line):
            fields[current].append(line)
    return {key: join_text(lines) for key, lines in fields.items()}


def summary_title(lines: list[str]) -> tuple[str, list[str]]:
    """The title from a summary's first "#" heading, and the summary without that line."""
    for index, line in enumerate(lines):
        match = _TITLE_LINE_RE.match(line)
        if match:
            return clean_title(match.group(1)), lines[:index] + lines[index + 1 :]
    return "", lines


def section_one(lines: list[str]) -> list[str]:
    """Section "1." of a summary, or its first paragraph when it has no numbered sections."""
    start = next((i + 1 for i, line in enumerate(lines) if _SECTION_ONE_RE.match(line)), None)
    if start is None:
        text = [line for line in lines if not _HEADING_RE.match(line)]
        return "\n".join(text).strip().split("\n\n")[0].splitlines()
    end = next((i for i in range(start, len(lines)) if _HEADING_RE.match(lines[i])), len(lines))
    return lines[start:end]


def daily_line(line: str) -> tuple[str, str] | None:
    """(key, text) for a line that starts a daily-list field: votes, authors, new, details, highlights."""
    section = _DAILY_SECTION_RE.match(line)
    if section:
        return DAILY_SECTIONS[re.sub(r"[^a-z ]", "", section.group(1).lower())], section.group(2)
    for key, regex in (("votes", _VOTE_RE), ("authors", _AUTHORS_RE)):
        match = regex.match(line)
        if match:
            return key, match.group(1)
    return None


def daily_fields(lines: list[str]) -> dict[str, str]:
    """A daily-list entry's fields by key; a section's continuation lines are kept with it."""
    fields: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        start = daily_line(line)
        if start:
            current = start[0]
            fields[current] = [start[1]]
        elif (
            current is not None
            and current in DAILY_SECTIONS.values()
            and not (_IMAGE_LINE_RE.match(line) or _RULE_RE.match(line))
        ):
            fields[current].append(line.strip())
    return {key: join_text(text) for key, text in fields.items()}
