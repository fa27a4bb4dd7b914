"""A card's optional links (GitHub repository with stars, project page, thumbnail), checked and labelled."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.models import Card
from bot.render.limits import one_line, safe_url, shorten

LINK_URL_MAX = 300
LINK_LABEL_MAX = 60
# http(s), a dotted host name, then only characters RFC 3986 allows unencoded: no spaces, quotes,
# angle brackets or "|" (which would end a Slack link), whatever the renderer's escaping.
_LINK_URL = re.compile(
    r"https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d{1,5})?(?:[/?#][A-Za-z0-9._~:/?#@!$&'()*+,;=%-]*)?"
)
_WRAPPED = re.compile(r"(?<=/)\s+")
_GITHUB = re.compile(r"https?://(?:www\.)?github\.com/([A-Za-z0-9._-]+)/([A-Za-z0-9._-]+?)(?:\.git)?/?")
_IMAGE_PATH = re.compile(r"(?i).+\.(?:png|jpe?g|gif)")
# Slack downloads an image block's picture when the message is posted and refuses the whole message
# when it cannot: only Hugging Face's own image hosts are used.
_IMAGE_HOSTS = ("huggingface.co",)


def link_url(url: str | None) -> str | None:
    """`url` when it is a plain http(s) link; None otherwise.

    A URL Hugging Face wrapped after a "/" (stored with a space there) is mended; other spaces refuse it.
    """
    if not url:
        return None
    url = _WRAPPED.sub("", url.strip())
    if len(url) <= LINK_URL_MAX and _LINK_URL.fullmatch(url):
        return url
    return None


def image_url(url: str | None) -> str | None:
    """`url` when it is an https picture (png, jpeg or gif) on a Hugging Face host; None otherwise."""
    url = safe_url(url.strip() if url else None)
    if url is None:
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not any(host == h or host.endswith("." + h) for h in _IMAGE_HOSTS):
        return None
    return url if _IMAGE_PATH.fullmatch(parts.path) else None


def format_stars(stars: int) -> str:
    """GitHub's short count: 999, 1.2k, 12.3k, 1M."""
    if stars < 1000:
        return str(max(stars, 0))
    thousands = f"{stars / 1000:.1f}".removesuffix(".0")
    if float(thousands) < 1000:
        return thousands + "k"
    return f"{stars / 1_000_000:.1f}".removesuffix(".0") + "M"


def _label(url: str) -> str:
    """A short link text: the URL without its scheme."""
    bare = url.split("://", 1)[1].rstrip("/")
    return shorten(one_line(bare), LINK_LABEL_MAX)


@dataclass(frozen=True)
class ExtraLinks:
    """The links a card shows after its fixed fields, each checked; None when absent or unusable."""

    repo_url: str | None
    repo_label: str
    stars: str | None  # "⭐ 1.2k", only with a repository
    project_url: str | None
    project_label: str
    thumbnail: str | None


def extra_links(card: Card) -> ExtraLinks:
    """The card's repository (owner/name on GitHub), its stars, project page and thumbnail."""
    repo = link_url(card.github_repo)
    project = link_url(card.project_page)
    if project and repo and project.rstrip("/") == repo.rstrip("/"):
        project = None  # many papers give their repository as the project page too
    github = _GITHUB.fullmatch(repo) if repo else None
    repo_label = _label(repo) if repo else ""
    if github:
        repo_label = shorten(f"{github[1]}/{github[2]}", LINK_LABEL_MAX)
    stars = card.github_stars
    return ExtraLinks(
        repo_url=repo,
        repo_label=repo_label,
        stars=f"⭐ {format_stars(stars)}" if repo and stars is not None else None,
        project_url=project,
        project_label=_label(project) if project else "",
        thumbnail=image_url(card.thumbnail),
    )
