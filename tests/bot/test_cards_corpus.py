"""Recorded Hugging Face days, stored and rendered: every repository, star count, project page and
thumbnail Hugging Face gave reaches the card, and every card stays valid on every platform."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from bot.cards import make_card
from bot.fields import default_taxonomy
from bot.models import Digest
from bot.render import render_digest_slack, render_digest_telegram, render_digest_text, telegram_length
from bot.render.links import format_stars
from bot.render.slack import BLOCKS_MAX, SECTION_MAX
from bot.sources.hf_schema import parse_day
from storage.db import Database
from storage.papers import top_for_day, upsert_papers
from tests.html_check import check_telegram_html

DAYS = ("2025-03-04", "2025-06-10", "2026-02-17")  # weekdays with repositories, pages and stars


def stored_day(db: Database, path: Path) -> tuple[dt.date, list]:
    day = dt.date.fromisoformat(path.stem)
    with db.session() as session:
        upsert_papers(session, parse_day(path.read_bytes(), day).papers, day, "hf")
    with db.session() as session:
        return day, top_for_day(session, day, 100)


def test_recorded_links_reach_the_cards(db: Database, hf_corpus_dir: Path) -> None:
    taxonomy, checked = default_taxonomy(), 0
    for name in DAYS:
        path = hf_corpus_dir / f"{name}.json"
        if not path.exists():
            continue
        raw = {e["paper"]["id"]: e for e in json.loads(path.read_text(encoding="utf-8"))}
        _, papers = stored_day(db, path)
        cards = tuple(make_card(p, i, taxonomy) for i, p in enumerate(papers, 1))
        for card in cards:
            given = raw[card.paper_id]
            text = render_digest_text(Digest("h", (card,)))
            repo, stars = given["paper"].get("githubRepo"), given["paper"].get("githubStars")
            assert card.thumbnail == given.get("thumbnail")
            if repo:
                assert "".join(repo.split()) in text
                checked += 1
            if repo and stars is not None:
                assert f"⭐ {format_stars(stars)}" in text
        for part in render_digest_telegram(Digest("📰 h", cards)):
            assert check_telegram_html(part) == [] and telegram_length(part) <= 4096
        for message in render_digest_slack(Digest("📰 h", cards)):
            assert len(message.blocks) <= BLOCKS_MAX
            assert all(
                len(b["text"]["text"]) <= SECTION_MAX for b in message.blocks if b["type"] == "section"
            )
    assert checked > 0 or not any((hf_corpus_dir / f"{n}.json").exists() for n in DAYS)
