"""One paper → a validated Korean card text, with one corrective retry and a clean failure."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import openai
from openai import AsyncOpenAI
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from bot import metrics
from bot.fields import Taxonomy
from bot.llm import prompt
from bot.llm.answer_json import json_object
from bot.llm.korean_rules import text_problem
from bot.llm.numbers import source_values, unsupported_numbers
from bot.llm.prompt import PaperInput

log = logging.getLogger(__name__)

SUMMARY_SENTENCES = (2, 4)
EASY_SENTENCES = (1, 3)
SUMMARY_MAX_CHARS = 600
EASY_MAX_CHARS = 300
MIN_CHARS = 10
MAX_FIELDS = 3

_SENTENCE_BREAK = re.compile(r"[.!?。][\"'”’」)]*\s+")

ErrorKind = Literal["invalid", "rejected", "unavailable", "fatal"]
FATAL_STATUS = {401, 403, 404}  # a wrong key, model or URL: every other paper would fail the same way
CodeResolver = Callable[[str], str | None]


def sentence_count(text: str) -> int:
    """Sentences in `text`, split after ., !, ? or 。 followed by a space."""
    return len([part for part in _SENTENCE_BREAK.split(text.strip()) if part.strip()])


def _korean(value: str, bounds: tuple[int, int], max_chars: int, info: ValidationInfo) -> str:
    text = " ".join(value.split())
    if len(text) < MIN_CHARS:
        raise ValueError("is empty or too short")
    if len(text) > max_chars:
        raise ValueError(f"has {len(text)} characters; at most {max_chars} are allowed")
    problem = text_problem(text)
    if problem:
        raise ValueError(problem)
    count = sentence_count(text)
    if not bounds[0] <= count <= bounds[1]:
        raise ValueError(f"has {count} sentences; {bounds[0]}-{bounds[1]} are required")
    sources: frozenset[Decimal] = (info.context or {}).get("numbers", frozenset())
    invented = unsupported_numbers(text, sources)
    if invented:
        raise ValueError(f"has numbers the paper does not state: {', '.join(invented)}")
    return text


def _code(value: str, known: set[str], resolve: CodeResolver | None) -> str:
    """A field code as the taxonomy spells it: " NLP " → "nlp"; names and aliases via `resolve`."""
    code = value.strip().lower()
    if code not in known and resolve is not None:
        code = resolve(value) or code
    return code


def code_resolver(taxonomy: Taxonomy) -> CodeResolver:
    """Field name or alias → code, for models that write "자연어 처리" or "RAG" instead of the code."""

    def resolve(text: str) -> str | None:
        found = taxonomy.resolve_exact(text)
        return found.code if found else None

    return resolve


class KoreanCard(BaseModel):
    """The model's answer once it passed every check. Validate with context={"codes": known codes,
    "numbers": source_values(the paper's texts)}, optionally "resolve": text → code."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    summary_ko: str
    easy_ko: str
    fields: tuple[str, ...]

    @field_validator("summary_ko")
    @classmethod
    def _summary(cls, value: str, info: ValidationInfo) -> str:
        return _korean(value, SUMMARY_SENTENCES, SUMMARY_MAX_CHARS, info)

    @field_validator("easy_ko")
    @classmethod
    def _easy(cls, value: str, info: ValidationInfo) -> str:
        return _korean(value, EASY_SENTENCES, EASY_MAX_CHARS, info)

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        context = info.context or {}
        known = set(context.get("codes", ()))
        codes = tuple(dict.fromkeys(_code(code, known, context.get("resolve")) for code in value))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValueError(f"unknown field codes {unknown}; choose only from the list")
        if not 1 <= len(codes) <= MAX_FIELDS:
            raise ValueError(f"needs 1-{MAX_FIELDS} field codes, got {len(codes)}")
        return codes


class InvalidAnswer(ValueError):
    """The model's answer cannot be used; the message says why, for the retry and the logs."""


def paper_sources(paper: PaperInput) -> tuple[str, ...]:
    """Everything the model reads about a paper: the texts its numbers may come from."""
    texts = (paper.title, paper.abstract, paper.ai_summary, paper.korean_text, *paper.ai_keywords)
    return tuple(t for t in texts if t)


def parse_answer(
    content: str | None, codes: Sequence[str], sources: Sequence[str], resolve: CodeResolver | None = None
) -> KoreanCard:
    """Parse and validate one answer against the paper's `sources`; raises InvalidAnswer."""
    try:
        data = json_object(content)
    except ValueError as exc:
        raise InvalidAnswer(str(exc)) from None
    context = {"codes": list(codes), "numbers": source_values(sources), "resolve": resolve}
    try:
        return KoreanCard.model_validate(data, context=context)
    except ValidationError as exc:
        raise InvalidAnswer(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "answer"
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"{where}: {'missing' if error['type'] == 'missing' else message}")
    return "; ".join(problems)


@dataclass
class ResponseMode:
    """The structured-output mode of a run: strict json_schema until the server refuses it."""

    value: str = "json_schema"


@dataclass
class Outcome:
    """What summarizing one paper produced: a card, or an error; tokens spent either way."""

    paper_id: str
    card: KoreanCard | None = None
    model: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    usage_reported: bool = True  # False: some answer had no `usage`; the counts are estimates
    requests: int = 0
    error: str | None = None
    error_kind: ErrorKind | None = None

    @property
    def tokens(self) -> int:
        """Prompt plus completion tokens (reported or estimated)."""
        return self.prompt_tokens + self.completion_tokens


class Summarizer:
    """Asks an OpenAI-compatible chat API for one paper's Korean texts and validates the answer."""

    def __init__(
        self, client: AsyncOpenAI, model: str, taxonomy: Taxonomy, mode: ResponseMode | None = None
    ) -> None:
        self.client = client
        self.model = model
        self.taxonomy = taxonomy
        self.codes = [f.code for f in taxonomy.fields]
        self.mode = mode or ResponseMode()
        self._resolve = code_resolver(taxonomy)

    async def summarize(self, paper: PaperInput) -> Outcome:
        """Ask once, retry once with the validation error, then give up; never raises for API errors."""
        outcome = Outcome(paper.id)
        conversation = prompt.messages(self.taxonomy, paper)
        for attempt in (1, 2):
            try:
                completion = await self._complete(conversation, outcome)
            except Exception as exc:  # every API failure becomes an error outcome
                outcome.error, outcome.error_kind = _api_error(exc)
                log.warning("paper %s: LLM request failed: %s", paper.id, outcome.error)
                return outcome
            content = _content(completion)
            try:
                outcome.card = parse_answer(content, self.codes, paper_sources(paper), self._resolve)
            except InvalidAnswer as exc:
                outcome.error, outcome.error_kind = str(exc), "invalid"
                log.warning("paper %s: invalid answer (attempt %d): %s", paper.id, attempt, exc)
                conversation = [
                    *conversation,
                    {"role": "assistant", "content": content or ""},
                    {"role": "user", "content": prompt.retry_prompt(str(exc))},
                ]
                continue
            outcome.model = getattr(completion, "model", None) or self.model
            outcome.error = outcome.error_kind = None
            return outcome
        return outcome

    async def _complete(self, conversation: list[dict[str, str]], outcome: Outcome) -> Any:
        """One chat completion; a server that refuses json_schema gets json_object from then on."""
        mode = self.mode.value
        try:
            completion = await self._create(conversation, mode, outcome)
        except openai.APIStatusError as exc:
            if mode != "json_schema" or not _refuses_schema(exc):
                raise
            if self.mode.value == "json_schema":
                self.mode.value = "json_object"
                log.info("the LLM server refused json_schema (HTTP %s); using json_object", exc.status_code)
            completion = await self._create(conversation, "json_object", outcome)
        return completion

    async def _create(self, conversation: list[dict[str, str]], mode: str, outcome: Outcome) -> Any:
        outcome.requests += 1
        metrics.LLM_REQUESTS.inc()
        completion = await self.client.chat.completions.create(  # type: ignore[call-overload]
            model=self.model,
            messages=conversation,
            response_format=prompt.response_format(mode, self.codes),
        )
        _count_usage(outcome, completion, conversation)
        return completion


def _refuses_schema(exc: openai.APIStatusError) -> bool:
    """The server cannot do structured output: HTTP 400 or 422, or the HTTP 500 llama.cpp's server
    answers with "response_format type must be one of "text" or "json_object", but got: json_schema"."""
    if isinstance(exc, openai.BadRequestError | openai.UnprocessableEntityError):
        return True
    return exc.status_code == 500 and "json_schema" in str(exc.message)


def _content(completion: Any) -> str | None:
    choices = getattr(completion, "choices", None) or []
    message = getattr(choices[0], "message", None) if choices else None
    content = getattr(message, "content", None)
    return content if isinstance(content, str) else None


def _count_usage(outcome: Outcome, completion: Any, conversation: list[dict[str, str]]) -> None:
    """Add the reported usage; estimate (about two characters a token) when the server sent none."""
    usage = getattr(completion, "usage", None)
    prompt_tokens = getattr(usage, "prompt_tokens", None)
    completion_tokens = getattr(usage, "completion_tokens", None)
    if not (isinstance(prompt_tokens, int) and isinstance(completion_tokens, int)):
        outcome.usage_reported = False
        prompt_tokens = sum(len(m["content"]) for m in conversation) // 2 + 1
        completion_tokens = len(_content(completion) or "") // 2 + 1
    outcome.prompt_tokens += prompt_tokens
    outcome.completion_tokens += completion_tokens
    metrics.llm_tokens(prompt_tokens, completion_tokens)


def _api_error(exc: Exception) -> tuple[str, ErrorKind]:
    """A short, secret-free description of a failed request and how the run should treat it."""
    if isinstance(exc, openai.APITimeoutError):
        return "timeout", "unavailable"
    if isinstance(exc, openai.APIConnectionError):
        return "connection error", "unavailable"
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status in FATAL_STATUS:
            return f"HTTP {status}", "fatal"
        if status in (408, 409, 429) or status >= 500:
            return f"HTTP {status}", "unavailable"
        return f"HTTP {status}", "rejected"
    return f"unexpected response ({type(exc).__name__})", "unavailable"
