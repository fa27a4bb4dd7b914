"""Find the JSON object in a model's answer, as local models really send it.

Servers without structured output (Ollama, llama.cpp's server in JSON-less mode, small models in
general) wrap the object in a ```json fence, put a sentence before or after it ("다음은 요청하신
JSON입니다:"), or lead with a reasoning model's <think> block. The first object that decodes is taken.
"""

from __future__ import annotations

import json
import re
from typing import Any

_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_DECODER = json.JSONDecoder()
MAX_STARTS = 20  # braces tried as the object's start; a longer hunt is not an answer


def _decode_at(text: str, start: int) -> tuple[Any, str | None]:
    """The JSON value starting at `start`, or (None, why not)."""
    try:
        return _DECODER.raw_decode(text, start)[0], None
    except json.JSONDecodeError as exc:
        return None, exc.msg
    except RecursionError:
        return None, "nested too deeply"


def json_object(content: str | None) -> dict[str, Any]:
    """The first JSON object in the answer; raises ValueError saying why there is none."""
    text = _THINK.sub(" ", content or "").strip()
    if not text:
        raise ValueError("the answer is empty")
    whole, error = _decode_at(text, 0)
    if error is None and not isinstance(whole, dict):
        raise ValueError("the answer is not a JSON object")
    if isinstance(whole, dict):
        return whole
    for start in [m.start() for m in re.finditer(r"\{", text)][:MAX_STARTS]:
        value, _ = _decode_at(text, start)
        if isinstance(value, dict):
            return value
    raise ValueError(f"the answer is not JSON ({error})")
