"""Korean texts through the real openai client and a fake OpenAI-compatible server on loopback:
what is stored, what the cards show when the LLM fails, budgets, caching and the CLI verb."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest
from pydantic import SecretStr
from sqlalchemy import select

import bot.cli.papers  # noqa: F401  (registers `top`)
import bot.cli.summarize  # noqa: F401  (registers the verb)
from bot.bootstrap import Bootstrap
from bot.cli.app import main as cli_main
from bot.cli.demo import SAMPLE_DAY
from bot.ingest import classified
from bot.llm import PROMPT_VERSION, SummaryReport, daily_step, llm_configured, summarize_missing
from bot.llm.runner import MAX_RETRIES, MAX_UNAVAILABLE_IN_A_ROW
from bot.models import Card
from bot.selection import top_of_day
from bot.services import Services
from storage.papers import set_korean_text, upsert_papers
from storage.records import PaperIn
from storage.tables import KoreanText, PaperField
from tests.fakes.openai_server import FakeOpenAIServer, Reply, closed_port_url, valid_answer

DAY = dt.date(2025, 3, 4)
ORIGIN = f"llm:{PROMPT_VERSION}"
API_KEY = "sk-test-9f8e7d6c5b4a39281706"
MODEL = "fake-korean-1"
TITLES = [
    "Scaling Reasoning in Large Language Models",
    "Robot Hands Learn to Fold Laundry",
    "Quantized Attention Kernels for Long Context",
    "A Speech Benchmark for Korean",
    "Agents That Browse the Web",
]


def paper(i: int, **overrides: object) -> PaperIn:
    base = PaperIn(
        id=f"2503.0{i:04d}",
        title=TITLES[i % len(TITLES)],
        abstract=f"We study problem {i}. Our method improves results on three benchmarks.",
        ai_summary=f"A new method for problem {i} improves benchmark results.",
        ai_keywords=["benchmark"],
        upvotes=100 - i,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def add(services: Services, *papers: PaperIn, day: dt.date = DAY) -> None:
    rows = [classified(p, services.taxonomy) for p in papers]
    with services.db.session() as session:
        upsert_papers(session, rows, day, "hf")


def configured(services: Services, url: str, **settings: object) -> Services:
    values = {
        "llm_base_url": url,
        "llm_model": MODEL,
        "llm_api_key": SecretStr(API_KEY),
        "llm_timeout": 30.0,  # a hang limit; the timeout tests set their own
        "llm_concurrency": 1,
    } | settings
    return replace(services, settings=services.settings.model_copy(update=values))


def llm_texts(services: Services) -> list[KoreanText]:
    with services.db.session() as session:
        return list(session.scalars(select(KoreanText).where(KoreanText.origin.like("llm:%"))))


def fields_of(services: Services, paper_id: str) -> list[tuple[str, str]]:
    with services.db.session() as session:
        rows = session.execute(
            select(PaperField.code, PaperField.origin)
            .where(PaperField.paper_id == paper_id)
            .order_by(PaperField.position)
        )
        return [(code, origin) for code, origin in rows]


def cards(services: Services, day: dt.date = DAY) -> dict[str, Card]:
    digest = top_of_day(services, day, 20)
    assert digest is not None
    return {c.paper_id: c for c in digest.cards}


@pytest.fixture
def llm() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


def assert_english_fallback(services: Services, p: PaperIn) -> None:
    card = cards(services)[p.id]
    assert card.easy_lang == "en"
    assert card.easy_text == p.ai_summary


# --- storing a valid answer ---


async def test_a_valid_answer_is_stored_with_model_tokens_and_fields(services, llm) -> None:
    p = paper(0)
    add(services, p)
    llm.script(Reply.answer(valid_answer(p.title, ("reasoning", "llm")), usage=(321, 123)))
    report = await summarize_missing(configured(services, llm.url), DAY)

    assert (report.summarized, report.failed, report.requests) == (1, 0, 1)
    assert (report.prompt_tokens, report.completion_tokens, report.tokens_used) == (321, 123, 444)
    [text] = llm_texts(services)
    assert (text.paper_id, text.origin, text.model) == (p.id, ORIGIN, MODEL)
    assert (text.prompt_tokens, text.completion_tokens) == (321, 123)
    assert text.easy_ko == valid_answer(p.title)["easy_ko"]
    assert fields_of(services, p.id) == [("reasoning", "llm"), ("llm", "llm")]
    card = cards(services)[p.id]
    assert (card.easy_lang, card.easy_text, card.fields) == ("ko", text.easy_ko, ("reasoning", "llm"))

    [request] = llm.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.body["model"] == MODEL
    assert request.response_format == "json_schema"
    assert request.messages[0]["role"] == "system" and "제목: " + p.title in request.messages[1]["content"]


async def test_a_valid_answer_on_the_retry_is_stored(services, llm) -> None:
    p = paper(0)
    add(services, p)
    llm.script(Reply.text("죄송해요, 잘 모르겠어요."))
    report = await summarize_missing(configured(services, llm.url), DAY)

    assert (report.summarized, report.failed, report.requests) == (1, 0, 2)
    retry = llm.requests[1].messages
    assert [m["role"] for m in retry] == ["system", "user", "assistant", "user"]
    assert retry[2]["content"] == "죄송해요, 잘 모르겠어요."
    assert "not JSON" in retry[3]["content"]
    assert cards(services)[p.id].easy_lang == "ko"


# --- invalid answers: one retry, then the English fallback ---

INVALID = {
    "non_json": lambda title: Reply.text("요약: 이 논문은 좋은 논문이에요."),
    "missing_key": lambda title: Reply.answer(
        {k: v for k, v in valid_answer(title).items() if k != "easy_ko"}
    ),
    "unknown_field": lambda title: Reply.answer(valid_answer(title, ("quantum-biology",))),
    "too_long": lambda title: Reply.answer(valid_answer(title) | {"easy_ko": "아주 긴 설명이에요. " * 30}),
    "english_only": lambda title: Reply.answer(
        valid_answer(title) | {"summary_ko": "This paper proposes a method. It improves results."}
    ),
}
REASONS = {
    "non_json": "not JSON",
    "missing_key": "easy_ko: missing",
    "unknown_field": "unknown field codes",
    "too_long": "at most 300",
    "english_only": "Korean",
}


@pytest.mark.parametrize("kind", sorted(INVALID))
async def test_an_invalid_answer_is_retried_once_then_nothing_is_stored(services, llm, kind) -> None:
    p = paper(0)
    add(services, p)
    before = fields_of(services, p.id)
    llm.script(INVALID[kind](p.title), INVALID[kind](p.title))
    report = await summarize_missing(configured(services, llm.url), DAY)

    assert (report.summarized, report.failed, report.requests) == (0, 1, 2)
    assert report.llm_failed and REASONS[kind] in report.errors[0]
    assert REASONS[kind] in llm.requests[1].messages[-1]["content"]  # the retry quotes the error
    assert llm_texts(services) == []
    assert fields_of(services, p.id) == before  # the classifier's fields stay
    assert_english_fallback(services, p)


async def test_a_timeout_is_retried_by_the_client_then_falls_back(services) -> None:
    p = paper(0)
    add(services, p)
    with FakeOpenAIServer(default=Reply(delay=1.5)) as slow:
        report = await summarize_missing(configured(services, slow.url, llm_timeout=0.2), DAY)
        assert len(slow.requests) == MAX_RETRIES + 1
    assert (report.summarized, report.failed) == (0, 1)
    assert report.errors == (f"{p.id}: timeout",)
    assert llm_texts(services) == []
    assert_english_fallback(services, p)


@pytest.mark.parametrize(
    "failure", [Reply.error(429, retry_after="0.05"), Reply.error(500), Reply(delay=30.0)]
)
async def test_a_transient_failure_is_retried_with_backoff(services, llm, failure) -> None:
    add(services, paper(0))
    llm.script(failure)
    # 3 s: the delayed answer never comes in time, the retry's answer always does
    report = await summarize_missing(configured(services, llm.url, llm_timeout=3.0), DAY)
    assert (report.summarized, report.failed, len(llm.requests)) == (1, 0, 2)


# --- what is not asked for ---


async def test_a_second_run_makes_no_requests(services, llm) -> None:
    add(services, paper(0), paper(1))
    svc = configured(services, llm.url)
    first = await summarize_missing(svc, DAY)
    assert (first.summarized, len(llm.requests)) == (2, 2)
    second = await summarize_missing(svc, DAY)
    assert len(llm.requests) == 2
    assert (second.summarized, second.candidates, second.already_done) == (0, 0, 2)
    assert not second.llm_failed


async def test_papers_with_a_digest_easy_text_need_no_request(services, llm) -> None:
    report = await summarize_missing(configured(services, llm.url), SAMPLE_DAY)
    assert llm.requests == []
    assert report.listed == report.already_done > 0


async def test_a_paper_without_abstract_is_never_sent(services, llm) -> None:
    empty = paper(0, abstract="   ")
    add(services, empty, paper(1, abstract=None, ai_summary=None))
    report = await summarize_missing(configured(services, llm.url), DAY)
    assert llm.requests == []
    assert (report.skipped_no_input, report.summarized, report.failed) == (2, 0, 0)
    assert not report.llm_failed
    assert_english_fallback(services, empty)


async def test_a_digest_without_abstract_is_summarized_from_its_korean_text(services, llm) -> None:
    korean = (
        "이 논문은 로봇이 빨래를 개는 법을 배우는 방법을 제안합니다. 시뮬레이션과 실제 로봇에서 확인했습니다."
    )
    digest = PaperIn(
        id="2503.09999",
        title="Robot Hands Learn to Fold Laundry",
        upvotes=7,
        summary_ko=korean,
        easy_ko="이 논문은 로봇이 빨래를 개는 법을 배우는 방법을 제안합니다.",
        korean_origin="derived",
        fields=["robotics"],
        fields_origin="digest",
    )
    with services.db.session() as session:
        upsert_papers(session, [digest], DAY, "digest")
    llm.script(Reply.answer(valid_answer(digest.title, ("llm",))))
    report = await summarize_missing(configured(services, llm.url), DAY)

    assert report.summarized == 1
    assert f"한국어 요약: {korean}" in llm.requests[0].messages[1]["content"]
    card = cards(services)[digest.id]
    assert (card.easy_lang, card.easy_text) == (
        "ko",
        valid_answer(digest.title)["easy_ko"],
    )  # llm over derived
    assert fields_of(services, digest.id) == [("robotics", "digest")]  # the digest's own 관련분야 win


async def test_a_new_prompt_version_replaces_the_old_text(services, llm) -> None:
    p = paper(0)
    add(services, p)
    with services.db.session() as session:
        set_korean_text(session, p.id, "llm:older", "옛 요약이에요. 두 문장이에요.", "옛 쉬운설명이에요.")
    await summarize_missing(configured(services, llm.url), DAY)
    assert [t.origin for t in llm_texts(services)] == [ORIGIN]
    assert cards(services)[p.id].easy_text == valid_answer(p.title)["easy_ko"]


# --- budget and concurrency ---


async def test_max_papers_stops_the_run_and_serves_the_top_cards_first(services, llm) -> None:
    papers = [paper(i) for i in range(5)]
    add(services, *papers)
    report = await summarize_missing(configured(services, llm.url, llm_max_papers=2), DAY)
    assert (report.summarized, report.deferred, report.budget_exhausted, len(llm.requests)) == (2, 3, True, 2)
    assert {t.paper_id for t in llm_texts(services)} == {papers[0].id, papers[1].id}  # most upvoted


async def test_max_tokens_stops_starting_new_requests(services, llm) -> None:
    add(services, *(paper(i) for i in range(5)))
    llm.default = Reply(usage=(600, 400))
    report = await summarize_missing(configured(services, llm.url, llm_max_tokens=1500), DAY)
    assert (report.summarized, report.deferred, report.budget_exhausted) == (2, 3, True)
    assert report.tokens_used == 2000


async def test_requests_never_exceed_the_concurrency(services) -> None:
    add(services, *(paper(i) for i in range(6)))
    with FakeOpenAIServer(default=Reply(delay=0.15)) as llm:
        report = await summarize_missing(configured(services, llm.url, llm_concurrency=2), DAY)
        assert llm.max_in_flight == 2
    assert report.summarized == 6


async def test_progress_is_reported_per_paper(services, llm) -> None:
    add(services, paper(0), paper(1), paper(2, abstract=""))
    seen = []
    await summarize_missing(configured(services, llm.url), DAY, on_progress=seen.append)
    assert sorted((e.status, e.total) for e in seen) == [
        ("no_input", 3),
        ("summarized", 3),
        ("summarized", 3),
    ]
    assert [e.done for e in seen] == [1, 2, 3]


# --- the server's quirks and failures ---


async def test_a_server_without_json_schema_gets_json_object_for_the_rest_of_the_run(services) -> None:
    add(services, *(paper(i) for i in range(3)))
    with FakeOpenAIServer(reject_json_schema=True) as llm:
        report = await summarize_missing(configured(services, llm.url), DAY)
        formats = [r.response_format for r in llm.requests]
    assert report.summarized == 3
    assert formats == ["json_schema", "json_object", "json_object", "json_object"]


async def test_llama_cpps_http_500_refusal_of_json_schema_also_falls_back_to_json_object(services) -> None:
    add(services, *(paper(i) for i in range(3)))
    with FakeOpenAIServer(reject_json_schema=True, refusal_status=500) as llm:
        report = await summarize_missing(configured(services, llm.url), DAY)
        formats = [r.response_format for r in llm.requests]
    assert (report.summarized, report.failed, report.llm_unavailable) == (3, 0, False)
    assert formats[-3:] == ["json_object"] * 3 and set(formats[:-3]) == {"json_schema"}
    assert all(card.easy_lang == "ko" for card in cards(services).values())


@pytest.mark.parametrize("wrapping", ["fenced", "chatty", "fenced_chatty", "think"])
async def test_json_wrapped_in_text_by_a_local_model_is_stored(services, wrapping: str) -> None:
    papers = [paper(i) for i in range(3)]
    add(services, *papers)
    with FakeOpenAIServer(wrapping=wrapping) as llm:
        report = await summarize_missing(configured(services, llm.url), DAY)
        requests = len(llm.requests)
    assert (report.summarized, report.failed, requests) == (3, 0, 3)  # no corrective retry needed
    stored = {t.paper_id: t.easy_ko for t in llm_texts(services)}
    assert stored == {p.id: valid_answer(p.title)["easy_ko"] for p in papers}


async def test_a_local_server_refusing_json_schema_and_chatting_around_json_mode_gets_korean_texts(
    services,
) -> None:
    papers = [paper(i) for i in range(2)]
    add(services, *papers)
    with FakeOpenAIServer(reject_json_schema=True, refusal_status=500, wrapping="fenced_chatty") as llm:
        report = await summarize_missing(configured(services, llm.url), DAY)
    assert (report.summarized, report.failed) == (2, 0)
    shown = cards(services)
    assert all(shown[p.id].easy_text == valid_answer(p.title)["easy_ko"] for p in papers)


async def test_a_server_that_is_down_gives_a_failed_report_not_an_exception(services) -> None:
    add(services, *(paper(i) for i in range(5)))
    report = await summarize_missing(configured(services, closed_port_url(), llm_concurrency=4), DAY)
    assert report.summarized == 0 and report.failed >= MAX_UNAVAILABLE_IN_A_ROW
    assert report.llm_unavailable and report.llm_failed
    assert report.failed + report.deferred == 5
    assert all(e.endswith("connection error") for e in report.errors)
    assert llm_texts(services) == []


async def test_a_rejected_key_stops_the_run_at_once(services) -> None:
    add(services, *(paper(i) for i in range(4)))
    with FakeOpenAIServer(default=Reply.error(401)) as llm:
        report = await summarize_missing(configured(services, llm.url), DAY)
        assert len(llm.requests) == 1
    assert (report.failed, report.deferred, report.llm_unavailable) == (1, 3, True)


async def test_no_usage_in_the_answer_still_counts_against_the_budget(services, llm) -> None:
    add(services, paper(0))
    llm.default = Reply(include_usage=False)
    report = await summarize_missing(configured(services, llm.url), DAY)
    [text] = llm_texts(services)
    assert report.tokens_used > 0 and text.prompt_tokens is None


async def test_without_configuration_nothing_happens(services) -> None:
    add(services, paper(0))
    assert not llm_configured(services.settings)
    assert await summarize_missing(services, DAY) == SummaryReport(day=DAY, configured=False)


async def test_the_api_key_never_reaches_logs_or_errors(services, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    add(services, *(paper(i) for i in range(3)))
    with FakeOpenAIServer() as llm:
        llm.script(Reply.text("not json"), Reply.text("still not json {"), Reply.error(500), Reply.error(500))
        llm.script(Reply.error(500), Reply.error(401))
        report = await summarize_missing(configured(services, llm.url), DAY)
        assert all(r.headers["Authorization"] == f"Bearer {API_KEY}" for r in llm.requests)
    down = await summarize_missing(configured(services, closed_port_url(), llm_concurrency=3), DAY)
    text = caplog.text + repr(report) + repr(down)
    assert report.failed and down.failed
    assert API_KEY not in text and API_KEY[3:15] not in text


# --- the CLI verb ---


@pytest.fixture
def run(services, monkeypatch, capsys):
    """Run `paperbot ARGS` against the test database; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", services.db.url)
    add(services, paper(0), paper(1), paper(2, abstract=None))

    def _run(*args: str, **env: str) -> tuple[int, str, str]:
        for name, value in env.items():
            monkeypatch.setenv(f"PAPERBOT_{name.upper()}", value)
        code = cli_main(list(args), Bootstrap())
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_cli_summarizes_the_latest_day_then_has_nothing_left(run, llm) -> None:
    env = {"llm_base_url": llm.url, "llm_model": MODEL, "llm_api_key": API_KEY}
    code, out, err = run("summarize", **env)
    assert code == 0, err
    assert out.startswith("2025-03-04: summarized 2, already had Korean text 0, no abstract 1, failed 0")
    code, out, _ = run("summarize", "--date", "2025-03-04", **env)
    assert (code, len(llm.requests)) == (0, 2)
    assert "summarized 0, already had Korean text 2" in out
    code, out, _ = run("top", "--date", "2025-03-04", "--format", "json")
    langs = sorted(p["easy_lang"] for p in json.loads(out)["papers"])
    assert langs == ["en", "ko", "ko"]


def test_cli_exits_1_when_the_llm_fails(run) -> None:
    code, out, err = run(
        "summarize", "--all", llm_base_url=closed_port_url(), llm_model=MODEL, llm_api_key=API_KEY
    )
    assert code == 1
    assert "all days: summarized 0" in out
    *warnings, error = err.strip().splitlines()  # the per-paper warnings are log lines before it
    assert error.startswith("paperbot: the LLM failed for every paper") and "connection error" in error
    assert all(" WARNING bot.llm." in line for line in warnings) and API_KEY not in out + err


def test_cli_exits_2_without_configuration_or_with_both_date_and_all(run) -> None:
    code, _, err = run("summarize")
    assert code == 2 and "PAPERBOT_LLM_BASE_URL" in err
    code, _, err = run(
        "summarize", "--all", "--date", "2025-03-04", llm_base_url="http://x/v1", llm_model="m"
    )
    assert code == 2 and "exclude each other" in err


# --- the daily run's step ---


async def test_the_daily_step_notes_a_failure_and_nothing_otherwise(services, llm) -> None:
    add(services, paper(0))
    assert daily_step(services) is None  # no LLM configured: the daily run skips the step
    step = daily_step(configured(services, llm.url))
    assert step is not None and await step(DAY) is None
    add(services, paper(1))
    down = daily_step(configured(services, closed_port_url()))
    assert down is not None
    note = await down(DAY)
    assert note is not None and note.startswith("Korean texts failed: 2503.00001: connection error")


async def test_a_base_url_that_cannot_be_parsed_is_a_failed_report(services) -> None:
    add(services, paper(0))
    report = await summarize_missing(configured(services, "http://user:pw@[::1/v1"), DAY)
    assert report.llm_failed and report.deferred == 1 and report.requests == 0
    assert "pw" not in repr(report)
