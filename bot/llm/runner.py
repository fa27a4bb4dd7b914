"""Fill in the Korean texts that are missing: pick the papers, keep to the budget, store what is valid."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from openai import AsyncOpenAI

from bot.llm.prompt import PROMPT_VERSION, PaperInput
from bot.llm.summarizer import Outcome, ResponseMode, Summarizer
from bot.redact import redact
from bot.services import Services
from bot.settings import Settings
from storage import summaries
from storage.summaries import PaperSource

log = logging.getLogger(__name__)

MAX_RETRIES = 2
"""Retries of one request on a timeout, a connection error, 408/409/429 or 5xx, done by the openai
client itself: exponential backoff from 0.5 s (at most 8 s) with jitter, or the server's Retry-After
when it asks for at most two minutes."""
MAX_UNAVAILABLE_IN_A_ROW = 3  # then the server is taken as down and no further paper is started
PLACEHOLDER_KEY = "EMPTY"  # local servers (vLLM, Ollama) take any key; the client insists on one
MAX_ERRORS_KEPT = 5


def origin() -> str:
    """The storage origin of texts written with the current prompt."""
    return f"llm:{PROMPT_VERSION}"


def llm_configured(settings: Settings) -> bool:
    """True when a base URL and a model are set (the API key is optional for local servers)."""
    return bool((settings.llm_base_url or "").strip() and (settings.llm_model or "").strip())


def make_client(settings: Settings) -> AsyncOpenAI:
    """An AsyncOpenAI client for the configured server, with our timeout and retry policy."""
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
    return AsyncOpenAI(
        base_url=(settings.llm_base_url or "").strip(),
        api_key=key or PLACEHOLDER_KEY,
        timeout=settings.llm_timeout,
        max_retries=MAX_RETRIES,
    )


@dataclass(frozen=True)
class Progress:
    """One paper finished (or was set aside); `done` of `total` papers have been handled."""

    paper_id: str
    status: str  # "summarized", "failed", "no_input" or "deferred"
    done: int
    total: int


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class SummaryReport:
    """What a run did. `failed` counts papers the LLM was asked about and gave nothing usable for;
    `deferred` counts papers not started because of the budget or an unavailable server."""

    day: dt.date | None
    configured: bool = True
    listed: int = 0
    candidates: int = 0
    summarized: int = 0
    skipped_no_input: int = 0
    failed: int = 0
    deferred: int = 0
    budget_exhausted: bool = False
    llm_unavailable: bool = False
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    errors: tuple[str, ...] = ()  # "paper id: reason", the first few, without secrets

    @property
    def tokens_used(self) -> int:
        """Prompt plus completion tokens of the run (estimated where the server reported none)."""
        return self.prompt_tokens + self.completion_tokens

    @property
    def already_done(self) -> int:
        """Papers that had a text of the current prompt version or a digest's own 쉬운설명."""
        return self.listed - self.candidates

    @property
    def llm_failed(self) -> bool:
        """True when the LLM was needed and nothing could be summarized."""
        return self.summarized == 0 and (self.failed > 0 or self.llm_unavailable)


@dataclass
class _Run:
    """Mutable state shared by the tasks of one run (one event loop, so no locks are needed)."""

    settings: Settings
    total: int
    on_progress: ProgressCallback | None
    started: int = 0
    done: int = 0
    unavailable_in_a_row: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    budget_exhausted: bool = False
    unavailable: bool = False

    @property
    def tokens(self) -> int:
        return sum(o.tokens for o in self.outcomes)

    def may_start(self) -> bool:
        """Whether one more paper may be sent, by the per-run budget and the server's health."""
        if self.started >= self.settings.llm_max_papers or self.tokens >= self.settings.llm_max_tokens:
            self.budget_exhausted = True
        return not (self.budget_exhausted or self.unavailable)

    def finish(self, paper_id: str, status: str) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.done += 1
        if self.on_progress is not None:
            self.on_progress(Progress(paper_id, status, self.done, self.total))


async def summarize_missing(
    services: Services, day: dt.date | None, *, on_progress: ProgressCallback | None = None
) -> SummaryReport:
    """Summarize the papers of `day` (every listed paper when None) that lack a Korean text of the
    current prompt version. Never raises for LLM failures: the report tells what happened."""
    if not llm_configured(services.settings):
        return SummaryReport(day=day, configured=False)
    listed, sources = await asyncio.to_thread(_candidates, services, day)
    run = _Run(services.settings, len(sources), on_progress)
    wanted = [s for s in sources if _input(s).has_source()]
    for source in sources:
        if not _input(source).has_source():
            run.finish(source.id, "no_input")
    if wanted:
        await _summarize_all(services, run, wanted)
    return _report(day, listed, len(sources), run, services.settings)


async def _summarize_all(services: Services, run: _Run, sources: list[PaperSource]) -> None:
    settings = services.settings
    semaphore = asyncio.Semaphore(settings.llm_concurrency)
    try:
        client = make_client(settings)
    except Exception as exc:  # e.g. a base URL that cannot be parsed; its text may hold credentials
        log.warning("the LLM client cannot be created: %s", type(exc).__name__)
        run.unavailable = True
        run.outcomes.append(Outcome("settings", error=f"no LLM client ({type(exc).__name__})"))
        for source in sources:
            run.finish(source.id, "deferred")
        return
    async with client:
        summarizer = Summarizer(client, settings.llm_model or "", services.taxonomy, ResponseMode())

        async def one(source: PaperSource) -> None:
            async with semaphore:
                if not run.may_start():
                    run.finish(source.id, "deferred")
                    return
                run.started += 1
                try:
                    outcome = await summarizer.summarize(_input(source))
                except Exception:  # a bug for one paper must not cost the others their texts
                    log.exception("paper %s: summarizing failed", source.id)
                    outcome = Outcome(source.id, error="internal error", error_kind="rejected")
                run.outcomes.append(outcome)
                run.finish(source.id, await _settle(services, run, outcome))

        await asyncio.gather(*(one(s) for s in sources))


def _candidates(services: Services, day: dt.date | None) -> tuple[int, list[PaperSource]]:
    """How many papers the day lists, and those still lacking a text of this prompt version."""
    with services.db.session() as session:
        return summaries.count_listed(session, day), list(
            summaries.papers_lacking_text(session, origin(), day)
        )


async def _settle(services: Services, run: _Run, outcome: Outcome) -> str:
    """Store a valid outcome; track the server's health from a failed one. Returns the status."""
    if outcome.error_kind in ("unavailable", "fatal"):
        run.unavailable_in_a_row += 1
        if outcome.error_kind == "fatal" or run.unavailable_in_a_row >= MAX_UNAVAILABLE_IN_A_ROW:
            if not run.unavailable:
                log.warning(
                    "the LLM server looks unavailable (%s); no further papers this run", outcome.error
                )
            run.unavailable = True
    else:
        run.unavailable_in_a_row = 0
    if outcome.card is None:
        return "failed"
    try:
        await asyncio.to_thread(_store, services, outcome)
    except Exception:  # one paper that cannot be stored never stops the others
        log.exception("paper %s: storing the Korean text failed", outcome.paper_id)
        outcome.error, outcome.card = "storage error", None
        return "failed"
    return "summarized"


def _store(services: Services, outcome: Outcome) -> None:
    """Write one valid answer (text, tokens and fields) in one transaction."""
    assert outcome.card is not None
    with services.db.session() as session:
        summaries.store_llm_text(
            session,
            outcome.paper_id,
            origin(),
            outcome.card.summary_ko,
            outcome.card.easy_ko,
            outcome.card.fields,
            model=outcome.model,
            prompt_tokens=outcome.prompt_tokens if outcome.usage_reported else None,
            completion_tokens=outcome.completion_tokens if outcome.usage_reported else None,
        )


def _input(source: PaperSource) -> PaperInput:
    return PaperInput(
        id=source.id,
        title=source.title,
        abstract=source.abstract,
        ai_summary=source.ai_summary,
        ai_keywords=source.ai_keywords,
        korean_text=source.korean_text,
    )


def _report(
    day: dt.date | None, listed: int, candidates: int, run: _Run, settings: Settings
) -> SummaryReport:
    secrets = [settings.llm_api_key.get_secret_value()] if settings.llm_api_key else []
    errors = tuple(
        redact(f"{o.paper_id}: {o.error}", secrets)[:300] for o in run.outcomes if o.card is None and o.error
    )
    return SummaryReport(
        day=day,
        listed=listed,
        candidates=candidates,
        summarized=run.statuses.get("summarized", 0),
        skipped_no_input=run.statuses.get("no_input", 0),
        failed=run.statuses.get("failed", 0),
        deferred=run.statuses.get("deferred", 0),
        budget_exhausted=run.budget_exhausted,
        llm_unavailable=run.unavailable,
        requests=sum(o.requests for o in run.outcomes),
        prompt_tokens=sum(o.prompt_tokens for o in run.outcomes),
        completion_tokens=sum(o.completion_tokens for o in run.outcomes),
        errors=errors[:MAX_ERRORS_KEPT],
    )


def failure_note(report: SummaryReport) -> str | None:
    """A short note for the broadcast and the admins when papers were left without Korean text."""
    reason = report.errors[0] if report.errors else "LLM unavailable"
    if report.llm_failed:
        return f"Korean texts failed: {reason}"
    if report.failed:
        return (
            f"Korean texts failed for {report.failed} of {report.summarized + report.failed} papers: {reason}"
        )
    return None


def daily_step(services: Services) -> Callable[[dt.date], Awaitable[str | None]] | None:
    """The daily run's Korean-text step (None without an LLM): it returns a note when it failed."""
    if not llm_configured(services.settings):
        return None

    async def step(day: dt.date) -> str | None:
        report = await summarize_missing(services, day)
        log.info(
            "day=%s event=summarized summarized=%d failed=%d no_input=%d deferred=%d tokens=%d",
            day,
            report.summarized,
            report.failed,
            report.skipped_no_input,
            report.deferred,
            report.tokens_used,
        )
        return failure_note(report)

    return step
