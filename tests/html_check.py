"""A strict checker for Telegram's parse_mode=HTML, shared by tests and the fake Bot API server."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from bot.render.telegram import TELEGRAM_LIMIT, telegram_length

FORMATTING = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler"}
EXCLUSIVE = {"a", "code", "pre"}  # these entities cannot contain each other
ALLOWED = FORMATTING | EXCLUSIVE | {"blockquote"}
NAMED_ENTITIES = {"lt", "gt", "amp", "quot"}
_AMPERSAND = re.compile(r"&(?!(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);)")
_URL_SCHEMES = ("http://", "https://", "tg://", "mailto:")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Checker(HTMLParser):
    """Walks the markup and collects what Telegram would reject."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            self.problems.append(f"tag <{tag}> is not supported")
        else:
            self.problems += _attr_problems(tag, dict(attrs), self.stack)
            self.problems += _nesting_problems(tag, self.stack)
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing tag <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            expected = f"</{self.stack[-1]}>" if self.stack else "no end tag"
            self.problems.append(f"</{tag}> found where {expected} was expected")
            if tag in self.stack:  # resynchronise to report later problems only once
                del self.stack[self.stack.index(tag) :]
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)
        if "<" in data:
            self.problems.append(f"unescaped '<' in text {data[:40]!r}")

    def handle_entityref(self, name: str) -> None:
        self.visible.append("&")
        if name not in NAMED_ENTITIES:
            self.problems.append(f"unsupported named entity &{name};")

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in "xX" else int(name)
        except ValueError:
            code = -1
        self.visible.append("#")
        if not 0 < code <= 0x10FFFF:
            self.problems.append(f"invalid numeric entity &#{name};")

    def handle_comment(self, data: str) -> None:
        self.problems.append("comments are not supported")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration <!{decl}> is not supported")

    def handle_pi(self, data: str) -> None:
        self.problems.append("processing instructions are not supported")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration <![{data}]> is not supported")


def _attr_problems(tag: str, attrs: dict[str, str | None], stack: list[str]) -> list[str]:
    """Attributes Telegram would not accept on `tag`."""
    allowed = {"a": {"href"}, "span": {"class"}, "code": {"class"}, "blockquote": {"expandable"}}
    problems = [
        f"attribute {name!r} not allowed on <{tag}>" for name in attrs if name not in allowed.get(tag, ())
    ]
    if tag == "a" and not (attrs.get("href") or "").startswith(_URL_SCHEMES):
        problems.append(f"<a> needs an http(s)/tg/mailto href, got {attrs.get('href')!r}")
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        problems.append('<span> is only allowed as <span class="tg-spoiler">')
    in_pre = bool(stack) and stack[-1] == "pre"
    if tag == "code" and "class" in attrs and not (in_pre and (attrs["class"] or "").startswith("language-")):
        problems.append('<code class="language-…"> is only allowed directly inside <pre>')
    return problems


def _nesting_problems(tag: str, stack: list[str]) -> list[str]:
    """Nesting rules: code/pre hold plain text (except pre > code), a/code/pre never nest."""
    if not stack:
        return []
    if tag == "code" and stack[-1] == "pre":
        return []
    if "code" in stack or "pre" in stack:
        return [f"<{tag}> inside <{stack[-1]}>: code and pre take plain text only"]
    if tag in EXCLUSIVE and EXCLUSIVE.intersection(stack):
        return [f"<{tag}> cannot be nested inside {sorted(EXCLUSIVE.intersection(stack))}"]
    if tag == "blockquote" and "blockquote" in stack:
        return ["<blockquote> cannot be nested"]
    return []


def check_telegram_html(text: str) -> list[str]:
    """Problems Telegram would have with `text` as a parse_mode=HTML message; empty when valid."""
    checker = _Checker()
    checker.feed(text)
    checker.close()
    problems = list(checker.problems)
    problems += [f"unclosed <{tag}>" for tag in checker.stack]
    problems += [f"bare '&' at offset {m.start()}" for m in _AMPERSAND.finditer(text)]
    if _SURROGATE.search(text):
        problems.append("lone surrogate: the text is not valid UTF-8")
    length = telegram_length(text)
    if length > TELEGRAM_LIMIT:
        problems.append(f"text is {length} characters after entity parsing (limit {TELEGRAM_LIMIT})")
    if not "".join(checker.visible).strip():
        problems.append("message text is empty")
    return problems
