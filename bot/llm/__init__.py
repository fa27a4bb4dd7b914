"""Korean 요약, 쉬운설명 and 관련분야 from any OpenAI-compatible chat API."""

from __future__ import annotations

from bot.llm.prompt import PROMPT_VERSION, PaperInput
from bot.llm.runner import Progress, SummaryReport, daily_step, llm_configured, summarize_missing
from bot.llm.summarizer import KoreanCard, Outcome, Summarizer

__all__ = [
    "PROMPT_VERSION",
    "KoreanCard",
    "Outcome",
    "PaperInput",
    "Progress",
    "Summarizer",
    "SummaryReport",
    "daily_step",
    "llm_configured",
    "summarize_missing",
]
