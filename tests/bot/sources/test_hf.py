"""The Hugging Face client over real HTTP against a fake server, and the stored result."""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.sources.hf import DayList, HFClient, HFError, fetch_days, parse_day
from storage.db import Database
from storage.papers import top_for_day, upsert_papers
from storage.tables import Paper
from tests.fakes.hf_server import Canned, FakeHFServer, synthetic_entries
from tests.paths import FIXTURES

HF_FIXTURES = FIXTURES / "hf"
DAY = dt.date(2025, 3, 4)


def load(name: str) -> list[Any]:
    return json.loads((HF_FIXTURES / name).read_text(encoding="utf-8"))


def squash(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


def store(db: Database, day_list: DayList) -> None:
    with db.session() as session:
        upsert_papers(session, day_list.papers, day_list.day, "hf")


def paper_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Paper)) or 0


@pytest.fixture
def server() -> Iterator[FakeHFServer]:
    with FakeHFServer() as fake:
        yield fake


@pytest.fixture
def client(server: FakeHFServer) -> Iterator[HFClient]:
    with HFClient(server.url, backoff=0, timeout=30, max_retries=3) as hf:
        yield hf


# --- paging ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "pages"), [(230, 3), (200, 3), (99, 1), (0, 1)])
def test_pages_until_a_short_page(db: Database, server: FakeHFServer, n: int, pages: int) -> None:
    server.days[DAY.isoformat()] = synthetic_entries(n)
    with HFClient(server.url, backoff=0, page_size=100) as hf:
        day_list = hf.fetch_day(DAY)
    store(db, day_list)

    requests = server.api_requests()
    assert [r.query["p"] for r in requests] == [str(p) for p in range(pages)]
    assert {r.query["limit"] for r in requests} == {"100"}
    assert {r.query["date"] for r in requests} == {"2025-03-04"}
    assert len(day_list.papers) == n and day_list.skipped == ()
    with db.session() as session:
        assert len(top_for_day(session, DAY, 500)) == n


def test_unknown_day_is_an_empty_list(client: HFClient, server: FakeHFServer) -> None:
    day_list = client.fetch_day(dt.date(2025, 3, 8))
    assert day_list == DayList(dt.date(2025, 3, 8), (), ())
    assert server.api_requests()[0].headers["User-Agent"].startswith("paperbot/")


def test_a_server_that_ignores_paging_does_not_loop(server: FakeHFServer) -> None:
    body = json.dumps(synthetic_entries(2))
    server.fail_with(*[Canned(200, body)] * 5)
    with HFClient(server.url, backoff=0, page_size=2) as hf:
        day_list = hf.fetch_day(DAY)
    assert len(server.api_requests()) == 2
    assert len(day_list.papers) == 2


# --- retries -----------------------------------------------------------------------------------


def test_retries_server_errors_then_succeeds(client: HFClient, server: FakeHFServer) -> None:
    server.days[DAY.isoformat()] = synthetic_entries(3)
    server.fail_with(Canned(500, "oops"), Canned(502, "<html>bad gateway</html>"))
    assert len(client.fetch_day(DAY).papers) == 3
    assert len(server.api_requests()) == 3


def test_gives_up_after_max_retries(server: FakeHFServer) -> None:
    server.fail_with(*[Canned(503, "down")] * 20)
    with HFClient(server.url, backoff=0, max_retries=2) as hf, pytest.raises(HFError) as err:
        hf.fetch_day(DAY)
    assert len(server.api_requests()) == 3
    assert "503" in str(err.value) and "3 attempts" in str(err.value)
    assert "\n" not in str(err.value)


def test_429_is_retried_honouring_retry_after(server: FakeHFServer) -> None:
    server.days[DAY.isoformat()] = synthetic_entries(1)
    server.fail_with(
        Canned(429, "{}", {"Retry-After": "0"}),
        Canned(429, "{}", {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),  # a date in the past
        Canned(429, "{}", {"Retry-After": "soon"}),  # unreadable: plain backoff
        Canned(429, "{}", {"Retry-After": "1"}),
    )
    started = time.perf_counter()
    with HFClient(server.url, backoff=0, max_retries=4) as hf:
        assert len(hf.fetch_day(DAY).papers) == 1
    assert len(server.api_requests()) == 5
    assert time.perf_counter() - started >= 0.9  # waited for the second Retry-After


def test_read_timeout_is_retried(server: FakeHFServer) -> None:
    server.days[DAY.isoformat()] = synthetic_entries(1)
    server.fail_with(Canned(200, "[]", delay=30.0))  # far beyond the timeout, which a loaded
    with HFClient(server.url, backoff=0, timeout=3.0) as hf:  # machine's normal answer never reaches
        assert len(hf.fetch_day(DAY).papers) == 1
    assert len(server.api_requests()) == 2


def test_connection_refused_is_retried_then_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with HFClient(f"http://127.0.0.1:{port}", backoff=0, max_retries=1) as hf, pytest.raises(HFError) as err:
        hf.fetch_day(DAY)
    assert str(err.value) == "Hugging Face 2025-03-04: ConnectError after 2 attempts"


def test_404_fails_at_once(client: HFClient, server: FakeHFServer) -> None:
    server.fail_with(Canned(404, '{"error": "Not Found"}'))
    with pytest.raises(HFError, match="HTTP 404 Not Found"):
        client.fetch_day(DAY)
    assert len(server.api_requests()) == 1


# --- bodies that cannot be trusted ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<html>Service temporarily unavailable</html>", "not valid JSON"),
        ("", "not valid JSON"),
        ('{"error": "x"}', "JSON dict, expected a list"),
        ("null", "JSON NoneType, expected a list"),
    ],
)
def test_a_bad_body_stores_nothing(
    db: Database, client: HFClient, server: FakeHFServer, body: str, message: str
) -> None:
    server.fail_with(Canned(200, body))
    with pytest.raises(HFError, match=message):
        fetch_days(client, [DAY], on_day=lambda day_list: store(db, day_list))
    assert paper_count(db) == 0


def test_a_bad_second_page_drops_the_whole_day(client: HFClient, server: FakeHFServer) -> None:
    server.fail_with(Canned(200, json.dumps(synthetic_entries(100))), Canned(200, "[{"))
    with pytest.raises(HFError, match="not valid JSON"):
        client.fetch_day(DAY)


@pytest.mark.parametrize("content_length", [True, False])
def test_oversized_body_is_refused(server: FakeHFServer, content_length: bool) -> None:
    big = json.dumps(synthetic_entries(1) * 50_000)  # several megabytes
    server.fail_with(Canned(200, big, content_length=content_length))
    with HFClient(server.url, backoff=0, max_bytes=10_000) as hf, pytest.raises(HFError) as err:
        hf.fetch_day(DAY)
    assert str(err.value) == "Hugging Face 2025-03-04: response larger than 10000 bytes"
    assert len(server.api_requests()) == 1


# --- entries -----------------------------------------------------------------------------------


def test_bad_entries_are_skipped_and_reported(client: HFClient, server: FakeHFServer) -> None:
    server.days[DAY.isoformat()] = load("broken_day.json")
    day_list = client.fetch_day(DAY)

    assert [p.id for p in day_list.papers] == ["2503.10001", "2503.10002", "2503.10003"]
    assert day_list.papers[0].upvotes == 30  # the first of a duplicated id wins
    skipped = {s.index: s for s in day_list.skipped}
    assert sorted(skipped) == [1, 3, 4, 5, 6, 7, 8, 9]
    expected = {
        1: (None, "paper"),
        3: ("2503.10003", "upvotes"),
        4: (None, "paper.id"),
        5: (None, "entry"),
        6: ("not-an-arxiv-id", "arXiv"),
        7: ("2503.10008", "title"),
        8: ("2503.10009", "upvotes"),
        9: ("2503.10001", "duplicate"),
    }
    for index, (paper_id, word) in expected.items():
        assert skipped[index].paper_id == paper_id
        assert word in skipped[index].reason, skipped[index]
        assert "\n" not in skipped[index].reason and len(skipped[index].reason) <= 200


def test_entries_are_mapped_and_cleaned(client: HFClient, server: FakeHFServer) -> None:
    server.days[DAY.isoformat()] = load("valid_day.json")
    full, minimal, bare = client.fetch_day(DAY).papers

    assert full.title == "Sparse Lanterns: Cheap Attention for Very Long Documents"
    assert full.abstract is not None and full.abstract.startswith("We propose Sparse Lanterns")
    assert "  " not in full.abstract and "\n" not in full.abstract
    assert full.ai_summary is not None and full.ai_summary.startswith("Sparse Lanterns routes")
    assert full.ai_keywords == ["sparse attention", "long context", "lantern tokens"]
    assert full.authors == ["Mina Park", "Jun Seo", "Ada Lee"]
    assert (full.upvotes, full.num_comments, full.github_stars) == (87, 3, 412)
    assert full.published_at == dt.datetime(2025, 3, 3, 17, 59, 58)
    assert full.github_repo == "https://github.com/example/sparse-lanterns"
    assert full.project_page == "https://example.org/lanterns"
    assert full.organization == "Example Lab"
    assert full.pdf_url == "https://arxiv.org/pdf/2503.01234"
    assert full.thumbnail == "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2503.01234.png"

    assert minimal.title == "Tiny Robots Learn to Fold Paper"
    assert (minimal.ai_summary, minimal.ai_keywords, minimal.github_repo) == (None, None, None)
    assert (minimal.organization, minimal.project_page, minimal.github_stars) == (None, None, None)

    assert bare.abstract is None and bare.github_repo is None  # empty strings are "unknown"
    assert bare.authors == [] and bare.upvotes == 0
    assert bare.organization == "imaginary-ai"  # top-level organization, handle only


def test_parse_day_is_pure_and_accepts_str_and_bytes() -> None:
    body = (HF_FIXTURES / "valid_day.json").read_bytes()
    assert parse_day(body, DAY) == parse_day(body.decode(), DAY)
    assert parse_day("[]", DAY) == DayList(DAY, (), ())


# --- property: any JSON at all -------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=25,
)
good_ids = st.sampled_from(["2502.06781", "2412.1234", " 2501.00001 ", "2501.00001"])
bad_ids = st.sampled_from(["2513.00001", "1234", "2502.067811", "٢٥٠٢.٠٦٧٨١", "hep-th/9901001", ""])
good_paper = st.fixed_dictionaries(
    {"id": good_ids, "title": st.text(min_size=1)},
    optional={
        "upvotes": st.integers(0, 10**6),
        "summary": st.text(),
        "authors": st.lists(st.fixed_dictionaries({"name": st.text()}), max_size=3),
        "publishedAt": st.sampled_from(["2025-02-10T18:57:29.000Z", "2025-02-10T18:57:29+09:00"]),
        "ai_keywords": st.lists(st.text(), max_size=3),
        "organization": st.fixed_dictionaries({}, optional={"name": st.text(), "fullname": st.text()}),
    },
)
odd_paper = st.fixed_dictionaries(
    {"id": good_ids | bad_ids | json_values, "title": st.text() | json_values},
    optional={
        "upvotes": st.integers(-2, 5) | json_values,
        "summary": json_values,
        "authors": json_values,
        "publishedAt": st.sampled_from(["0001-01-01T00:00:00+01:00", "yesterday"]) | json_values,
        "ai_keywords": json_values,
        "organization": json_values,
    },
)
plausible_entry = st.fixed_dictionaries(
    {"paper": good_paper | odd_paper}, optional={"numComments": st.integers(0, 9) | json_values}
)


def check(day_list: DayList, entries: object) -> None:
    assert isinstance(entries, list)
    assert len(day_list.papers) + len(day_list.skipped) == len(entries)
    assert len({p.id for p in day_list.papers}) == len(day_list.papers)
    for paper in day_list.papers:
        assert re.fullmatch(r"[0-9]{2}(0[1-9]|1[0-2])\.[0-9]{4,5}", paper.id)
        assert paper.title and paper.title == " ".join(paper.title.split())
        assert paper.upvotes is None or paper.upvotes >= 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values | st.lists(plausible_entry | json_values, max_size=6))
def test_parse_day_never_fails_otherwise(value: Any) -> None:
    try:
        day_list = parse_day(json.dumps(value), DAY)
    except HFError as exc:
        assert not isinstance(value, list) and "\n" not in str(exc)
        return
    check(day_list, value)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64))
def test_parse_day_on_arbitrary_bytes(body: bytes) -> None:
    try:
        day_list = parse_day(body, DAY)
    except HFError:
        return
    assert all(re.fullmatch(r"[0-9]{4}\.[0-9]{4,5}", p.id) for p in day_list.papers)
