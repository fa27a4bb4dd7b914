"""Every Prometheus metric of paperbot, in one place (served by `GET /metrics` in `paperbot run`)."""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST  # what `GET /metrics` answers with
MESSAGES = Counter(
    "paperbot_messages",
    "Broadcast messages by platform and recorded outcome (sent, failed, blocked, pending, unknown).",
    ["platform", "outcome"],
)
BROADCAST_SECONDS = Histogram(
    "paperbot_broadcast_duration_seconds",
    "Time one pass of the broadcast engine over one broadcast took.",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600),
)
HF_FETCHES = Counter("paperbot_hf_fetches", "Hugging Face daily lists fetched (one per day asked for).")
HF_FAILURES = Counter("paperbot_hf_fetch_failures", "Hugging Face daily-list fetches that failed.")
LLM_REQUESTS = Counter("paperbot_llm_requests", "Chat-completion requests sent to the LLM.")
LLM_TOKENS = Counter(
    "paperbot_llm_tokens", "LLM tokens spent (reported, or estimated when not reported).", ["kind"]
)
COMMAND_REPLIES = Counter(
    "paperbot_command_replies", "Chat command replies by command and platform.", ["command", "platform"]
)

UNKNOWN_COMMAND = "unknown"


def command_label(command: str, known: set[str] | frozenset[str]) -> str:
    """The command as a label value; unknown names share one value so labels stay few."""
    return command if command in known else UNKNOWN_COMMAND


def llm_tokens(prompt: int, completion: int) -> None:
    """Count the tokens of one LLM answer."""
    LLM_TOKENS.labels("prompt").inc(prompt)
    LLM_TOKENS.labels("completion").inc(completion)


def exposition(registry: CollectorRegistry = REGISTRY) -> bytes:
    """Every metric in the Prometheus text format."""
    return generate_latest(registry)
