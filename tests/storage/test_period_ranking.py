"""Weekly and monthly tops on both databases: each paper once, with the votes of its latest listing."""

from __future__ import annotations

import datetime as dt

from bot import texts
from bot.selection import top_of_period
from bot.services import Services
from storage.db import Database
from storage.papers import top_between, top_for_field, upsert_papers
from storage.records import PaperIn

UNTIL = dt.date(2025, 3, 31)


def day(days_before: int) -> dt.date:
    return UNTIL - dt.timedelta(days=days_before)


def paper(suffix: str, votes: int) -> PaperIn:
    return PaperIn(id=f"2503.000{suffix}", title=f"Paper {suffix}", upvotes=votes, fields=["nlp"])


# (day, papers listed that day with that day's votes)
LISTS = [
    (day(40), [paper("10", 1000)]),  # before either window
    (day(29), [paper("20", 100)]),  # the month's first day
    (day(20), [paper("30", 300), paper("11", 5)]),  # 11 again later, with fewer votes then
    (day(7), [paper("40", 70)]),  # one day before the week
    (day(6), [paper("11", 20), paper("50", 20)]),  # the week's first day; a tie
    (day(2), [paper("11", 55), paper("60", 40)]),  # 11's latest listing: 55 votes
    (UNTIL + dt.timedelta(days=1), [paper("70", 900)]),  # after the window
]


def stock(db: Database) -> None:
    for when, papers in LISTS:
        with db.session() as session:
            upsert_papers(session, papers, when, "hf")


def ranked(db: Database, days: int, n: int = 20) -> list[tuple[str, int | None]]:
    with db.session() as session:
        found = top_between(session, day(days - 1), UNTIL, n)
    return [(p.id[-2:], p.upvotes) for p in found]


def test_a_week_counts_each_paper_once_with_its_latest_votes(db: Database) -> None:
    stock(db)
    assert ranked(db, 7) == [("11", 55), ("60", 40), ("50", 20)]


def test_a_month_reaches_back_thirty_days(db: Database) -> None:
    stock(db)
    assert ranked(db, 30) == [("30", 300), ("20", 100), ("40", 70), ("11", 55), ("60", 40), ("50", 20)]
    assert ranked(db, 30, n=2) == [("30", 300), ("20", 100)]


def test_latest_votes_rank_even_when_an_earlier_day_had_more(db: Database) -> None:
    stock(db)
    with db.session() as session:
        upsert_papers(session, [paper("30", 1)], day(1), "hf")  # relisted in the week with 1 vote
    assert ranked(db, 7)[-1] == ("30", 1)
    assert ("30", 1) in ranked(db, 30) and ("30", 300) not in ranked(db, 30)


def test_a_field_over_several_days_counts_each_paper_once(db: Database) -> None:
    stock(db)
    other = PaperIn(id="2503.00080", title="Paper 80", upvotes=500, fields=["vision"])
    with db.session() as session:
        upsert_papers(session, [other], day(3), "hf")  # in the window, of another field
    with db.session() as session:
        week = top_for_field(session, "nlp", day(6), UNTIL, 20)
        month = top_for_field(session, "nlp", day(29), UNTIL, 3)
        vision = top_for_field(session, "vision", day(29), UNTIL, 3)
    assert [(p.id[-2:], p.upvotes) for p in week] == [("11", 55), ("60", 40), ("50", 20)]
    assert [(p.id[-2:], p.upvotes) for p in month] == [("30", 300), ("20", 100), ("40", 70)]
    assert [(p.id[-2:], p.upvotes) for p in vision] == [("80", 500)]


def test_selection_heads_the_cards_with_the_window(services: Services) -> None:
    stock(services.db)
    digest = top_of_period(services, 7, 2, UNTIL)
    assert digest is not None and digest.day == UNTIL
    assert digest.header == texts.period_header("2025-03-25", "2025-03-31", 7, 2)
    assert [(c.paper_id[-2:], c.votes) for c in digest.cards] == [("11", 55), ("60", 40)]
    latest = top_of_period(services, 30, 1)  # default: up to the latest day with papers
    assert latest is not None and latest.header.startswith("📰 2025-03-03 ~ 2025-04-01")
    assert top_of_period(services, 7, 5, dt.date(2020, 1, 1)) is None
