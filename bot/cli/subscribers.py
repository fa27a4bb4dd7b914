"""`paperbot subscribers list | add | remove`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from bot.cli.app import CliError, examples, wiring

PLATFORMS = ("telegram", "slack", "console")
_CHAT_ID = {
    # a numeric chat id (groups and channels are negative) or a public @channel name
    "telegram": re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$"),
    # a Slack conversation id: C… public, G… private, D… direct message
    "slack": re.compile(r"^[CGD][A-Z0-9]{6,20}$"),
    "console": re.compile(r"^[\w.-]{1,64}$"),
}


def _ids(platform: str, chat_ids: tuple[str, ...], from_file: Path | None) -> list[str]:
    ids = list(chat_ids)
    if from_file is not None:
        lines = from_file.read_text(encoding="utf-8").splitlines()
        ids += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    bad = [i for i in ids if not _CHAT_ID[platform].match(i)]
    if bad:
        raise click.UsageError(f"not a {platform} chat id: {bad[0][:40]!r} ({len(bad)} bad in all)")
    if not ids:
        raise click.UsageError("give at least one CHAT_ID or --from-file")
    return list(dict.fromkeys(ids))


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
        "paperbot subscribers add slack --from-file channels.txt",
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
@click.option(
    "--from-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="A file with one chat id per line.",
)
@click.pass_context
def add(
    ctx: click.Context,
    platform: str,
    chat_ids: tuple[str, ...],
    field_list: str,
    keyword_text: str | None,
    from_file: Path | None,
) -> None:
    """Subscribe chats (many ids at once)."""
    from bot import args as A
    from bot.bootstrap import resolve_chat
    from bot.search_query import KEYWORDS_OFF, parse_keywords
    from storage import subscribers
    from storage.records import Keywords

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
    with services.db.session() as session:
        for chat_id in ids:
            kind = subscribers.guess_chat_kind(platform, chat_id)
            subscribers.subscribe(session, platform, chat_id, kind, codes or None)
            if keywords is not None:
                subscribers.set_keywords(session, platform, chat_id, kind, keywords)
    click.echo(f"subscribed {len(ids)} {platform} chats")


@subscribers_group.command(
    "remove",
    context_settings={"ignore_unknown_options": True},
    epilog=examples("paperbot subscribers remove slack C0123456789"),
)
@click.argument("platform", type=click.Choice(PLATFORMS))
@click.argument("chat_ids", nargs=-1, required=True, metavar="CHAT_ID...")
@click.pass_context
def remove(ctx: click.Context, platform: str, chat_ids: tuple[str, ...]) -> None:
    """Unsubscribe chats."""
    from storage import subscribers

    services = wiring(ctx).services()
    with services.db.session() as session:
        done = sum(subscribers.unsubscribe(session, platform, c, "removed by admin") for c in chat_ids)
    click.echo(f"unsubscribed {done} of {len(chat_ids)} {platform} chats")
