"""`paperbot subscribers list | add | remove`."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import click

from bot.cli.app import CliError, examples, progress, wiring

PLATFORMS = ("telegram", "slack", "console")
_CHAT_ID = {
    # a numeric chat id (groups and channels are negative) or a public @channel name
    "telegram": re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$"),
    # a Slack conversation id: C… public, G… private, D… direct message
    "slack": re.compile(r"^[CGD][A-Z0-9]{6,20}$"),
    "console": re.compile(r"^[\w.-]{1,64}$"),
}


def _ids(platform: str, chat_ids: tuple[str, ...], from_file: Path | None) -> list[str]:
    """The chat ids of the arguments and of the file (one a line; blank lines and # comments skipped).

    Any malformed id fails the whole command, naming the first bad line, before anything changes."""
    pattern = _CHAT_ID[platform]
    ids = list(chat_ids)
    bad = [f"{i[:40]!r}" for i in chat_ids if not pattern.match(i)]
    if from_file is not None:
        try:
            lines = from_file.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            raise click.UsageError(f"{from_file.name}: not UTF-8 text") from None
        for number, line in enumerate(lines, 1):
            chat_id = line.strip()
            if not chat_id or chat_id.startswith("#"):
                continue
            if pattern.match(chat_id):
                ids.append(chat_id)
            else:
                bad.append(f"{chat_id[:40]!r} ({from_file.name} line {number})")
    if bad:
        raise click.UsageError(f"not a {platform} chat id: {bad[0]}; {len(bad)} bad in all, nothing changed")
    if not ids:
        raise click.UsageError("give at least one CHAT_ID or --from-file")
    return list(dict.fromkeys(ids))


_FROM_FILE = click.option(
    "--from-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="A file with one chat id per line (blank lines and # comments are skipped).",
)
_FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)


@click.group(
    "subscribers",
    epilog=examples("paperbot subscribers list", "paperbot subscribers add telegram -1001234567890"),
)
def subscribers_group() -> None:
    """Manage the chats that receive the daily digest."""


@subscribers_group.command(
    "list",
    epilog=examples("paperbot subscribers list --platform slack", "paperbot subscribers list --format json"),
)
@click.option("--platform", type=click.Choice(PLATFORMS))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def list_(ctx: click.Context, platform: str | None, fmt: str) -> None:
    """List subscribers (platform, chat, kind, fields, state, keywords)."""
    from bot.search_query import format_keywords
    from storage import subscribers

    services = wiring(ctx).reader()
    with services.db.session() as session:
        rows = subscribers.list_all(session, platform)
    if fmt == "json":
        data = [
            {
                "platform": s.platform,
                "chat_id": s.chat_id,
                "chat_kind": s.chat_kind,
                "fields": list(s.fields) if s.fields else None,
                "keywords": format_keywords(s.keywords) if s.keywords else None,
                "active": s.active,
                "deactivated_reason": s.deactivated_reason,
            }
            for s in rows
        ]
        click.echo(json.dumps({"subscribers": data}, ensure_ascii=False, indent=2))
        return
    for s in rows:
        state = "active" if s.active else f"inactive ({s.deactivated_reason})"
        wanted = ",".join(s.fields) if s.fields else "all"
        words = format_keywords(s.keywords) if s.keywords else "-"
        click.echo(f"{s.platform}\t{s.chat_id}\t{s.chat_kind}\t{wanted}\t{state}\t{words}")
    click.echo(f"{len(rows)} subscribers", err=True)


@subscribers_group.command(
    "add",
    context_settings={"ignore_unknown_options": True},
    epilog=examples(
        "paperbot subscribers add telegram -1001234567890 --fields nlp,llm",
        "paperbot subscribers add telegram 12345 --keywords 'diffusion \"video generation\" -survey'",
        "paperbot subscribers add slack --from-file channels.txt --format json",
    ),
)
@click.argument("platform", type=click.Choice(PLATFORMS))
@click.argument("chat_ids", nargs=-1, metavar="[CHAT_ID]...")
@click.option(
    "--fields",
    "field_list",
    default="",
    metavar="CODES",
    help="Comma-separated field codes (default: every field).",
)
@click.option(
    "--keywords",
    "keyword_text",
    default=None,
    metavar="WORDS",
    help='Keywords as /keywords takes them: words, "phrases", -excluded; "off" clears them '
    "(default: left as they were).",
)
@_FROM_FILE
@_FORMAT
@click.pass_context
def add(
    ctx: click.Context,
    platform: str,
    chat_ids: tuple[str, ...],
    field_list: str,
    keyword_text: str | None,
    from_file: Path | None,
    fmt: str,
) -> None:
    """Subscribe chats (many ids at once); chats that had unsubscribed get the daily digest again."""
    from bot import args as A
    from bot.bootstrap import resolve_chat
    from bot.search_query import KEYWORDS_OFF, parse_keywords
    from storage import subscribers
    from storage.records import Keywords, SubscribeCounts

    services = wiring(ctx).services()
    codes = [c.strip() for c in field_list.split(",") if c.strip()]
    unknown = [c for c in codes if services.taxonomy.get(c) is None]
    if unknown:
        raise click.UsageError(f"unknown field code {unknown[0][:20]!r}; see 'paperbot fields'")
    keywords: Keywords | None = None
    try:
        if keyword_text is not None and keyword_text.strip().lower() in KEYWORDS_OFF:
            keywords = Keywords()  # (stored as no filter)
        elif keyword_text is not None:
            keywords = parse_keywords([keyword_text], services.taxonomy)
    except A.ArgumentError as exc:
        raise click.UsageError(str(exc).splitlines()[0]) from None
    try:
        ids = [resolve_chat(services.settings, platform, i) for i in _ids(platform, chat_ids, from_file)]
    except ValueError as exc:
        raise CliError(str(exc)) from None
    counts = SubscribeCounts()
    with services.db.session() as session, progress(list(subscribers.chunks(ids)), "subscribing") as bar:
        for chunk in bar:
            counts += subscribers.subscribe_many(session, platform, chunk, codes or None, keywords)
    chats = counts.added + counts.reactivated + counts.already_subscribed
    if fmt == "json":
        click.echo(_json({"platform": platform, "chats": chats, **dataclasses.asdict(counts)}))
        return
    click.echo(
        f"subscribed {chats} {platform} chats ({counts.added} new, {counts.reactivated} reactivated, "
        f"{counts.already_subscribed} already subscribed)"
    )


@subscribers_group.command(
    "remove",
    context_settings={"ignore_unknown_options": True},
    epilog=examples(
        "paperbot subscribers remove slack C0123456789",
        "paperbot subscribers remove telegram --from-file gone.txt --format json",
    ),
)
@click.argument("platform", type=click.Choice(PLATFORMS))
@click.argument("chat_ids", nargs=-1, metavar="[CHAT_ID]...")
@_FROM_FILE
@_FORMAT
@click.pass_context
def remove(
    ctx: click.Context, platform: str, chat_ids: tuple[str, ...], from_file: Path | None, fmt: str
) -> None:
    """Unsubscribe chats (many ids at once)."""
    from storage import subscribers
    from storage.records import UnsubscribeCounts

    ids = _ids(platform, chat_ids, from_file)
    services = wiring(ctx).services()
    counts = UnsubscribeCounts()
    with services.db.session() as session, progress(list(subscribers.chunks(ids)), "unsubscribing") as bar:
        for chunk in bar:
            counts += subscribers.unsubscribe_many(session, platform, chunk, "removed by admin")
    chats = counts.removed + counts.not_subscribed
    if fmt == "json":
        click.echo(_json({"platform": platform, "chats": chats, **dataclasses.asdict(counts)}))
        return
    click.echo(
        f"unsubscribed {counts.removed} of {chats} {platform} chats ({counts.not_subscribed} not subscribed)"
    )


def _json(data: dict[str, object]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
