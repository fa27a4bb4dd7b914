"""The daily digest of chats with keywords: their own papers, one rendering per distinct filter."""

from __future__ import annotations

from sqlalchemy import select

from bot.search_query import parse_keywords
from bot.services import Services
from storage import subscribers
from storage.papers import upsert_papers
from storage.tables import BroadcastPart, OutboxRow, Subscriber
from tests.bot.broadcast.test_engine import daily
from tests.fakes.memory_channel import MemoryChannel
from tests.storage.test_keyword_filter import DAY, PAPERS


def follow(services: Services, chat: str, words: str | None, fields: list[str] | None = None) -> None:
    """Subscribe `chat` (private Telegram) with `fields`, then set its keywords as /keywords would."""
    with services.db.session() as session:
        subscribers.subscribe(session, "telegram", chat, "private", fields)
        keywords = parse_keywords(words.split(), services.taxonomy) if words else None
        subscribers.set_keywords(session, "telegram", chat, "private", keywords)


def titles(channel: MemoryChannel, chat: str) -> list[str]:
    """The paper titles of the digest `chat` got, in card order."""
    [text] = channel.received(chat)
    return [line.split("제목: ", 1)[1] for line in text.splitlines() if "제목: " in line]


def variants(services: Services) -> dict[str, str]:
    """Chat id → the variant its outbox rows were planned with."""
    with services.db.session() as session:
        rows = session.execute(
            select(Subscriber.chat_id, OutboxRow.variant).join(
                Subscriber, Subscriber.id == OutboxRow.subscriber_id
            )
        )
        return {chat: variant for chat, variant in rows}


async def test_each_chat_gets_its_fields_or_keywords_minus_exclusions(services: Services) -> None:
    with services.db.session() as session:
        upsert_papers(session, PAPERS, DAY, "hf")
    follow(services, "1", 'diffusion "video generation" -survey')
    follow(services, "2", '-SURVEY "Video Generation" Diffusion')  # the same filter, written otherwise
    follow(services, "3", "diffusion", fields=["nlp"])
    follow(services, "4", "zebrafish")  # nothing of the day matches
    follow(services, "5", None)
    follow(services, "6", "강화학습")  # a field name: its field's papers and the Korean word
    channel = MemoryChannel()
    result = await daily(services, channel, DAY)
    assert result.recipients == 5
    assert (
        titles(channel, "1")
        == titles(channel, "2")
        == ["World Simulators", "Diffusion Transformers at Scale"]
    )
    assert titles(channel, "3") == [
        "Tokenizers Revisited (NEAR OR *)",
        "Survey of Generative Models",
        "Diffusion Transformers at Scale",
    ]
    assert channel.received("4") == []
    assert len(titles(channel, "5")) == services.settings.top_n
    assert titles(channel, "6") == ["Reward Shaping"]
    chosen = variants(services)
    assert chosen["1"] == chosen["2"] and len({chosen[c] for c in "1356"}) == 4
    with services.db.session() as session:
        planned = set(session.scalars(select(BroadcastPart.variant)))
    assert planned == {chosen[c] for c in "1356"}  # one rendering per filter; none for chat 4
    assert all(len(v) <= 160 for v in planned)
