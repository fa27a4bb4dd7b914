"""`/search <검색어> [N]`: full-text search over titles, abstracts, keywords and Korean texts."""

from __future__ import annotations

from bot import texts
from bot.models import Reply, Request
from bot.search_query import parse_search, split_search_count
from bot.selection import search_papers
from bot.services import Services


def search(services: Services, request: Request) -> Reply:
    """Cards of the best matches, or a short Korean answer when the query is empty or finds nothing."""
    words, n = split_search_count(request.args, services.settings.top_n)
    parsed = parse_search(words, services.taxonomy)
    digest = search_papers(services, parsed.query, n, parsed.shown)
    if digest is None:
        return Reply(text=texts.SEARCH_NONE.format(query=parsed.shown))
    return Reply(digest=digest)
