"""Recorded Hugging Face day lists, one API response per file named by its day (2025-02-11.json).

A bulk import reads them through `read_day_files`: a worker process parses and classifies the files
while the importing process writes what it already has, so the two use both cores instead of
taking turns at one interpreter lock.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from bot.fields import Taxonomy
from bot.ingest import classified
from bot.sources.hf import DayList, HFError, parse_day

FILES_PER_TASK = 10
"""Files the worker reads per task, so that the processes exchange a few dozen messages, not one per day."""
TASKS_AHEAD = 20
"""Tasks handed to the worker before their results are taken: at most 200 days wait in memory."""

_worker_taxonomy: list[Taxonomy] = []  # set once in the worker process
_Read = tuple[list[DayList], HFError | None]  # a task's days, and the error that stopped it


def day_of(path: Path) -> dt.date:
    """The listing day a file is named after."""
    try:
        return dt.date.fromisoformat(path.stem)
    except ValueError:
        raise HFError("the file name is not a day (YYYY-MM-DD.json)") from None


def read_day_file(path: Path, taxonomy: Taxonomy) -> DayList:
    """One recorded response, parsed, with classifier fields for the papers that bring none; an
    HFError names the file."""
    try:
        day_list = parse_day(path.read_bytes(), day_of(path))
    except OSError as exc:
        raise HFError(f"{path.name}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    except HFError as exc:
        raise HFError(f"{path.name}: {exc}") from None
    return replace(day_list, papers=tuple(classified(p, taxonomy) for p in day_list.papers))


def read_day_files(paths: Sequence[Path], taxonomy: Taxonomy) -> Iterator[DayList]:
    """The day lists of `paths`, in order, read by a worker process up to TASKS_AHEAD tasks ahead.

    A file that cannot be read or parsed raises its HFError when its turn comes, after the days before it."""
    pool = ProcessPoolExecutor(1, initializer=_start_worker, initargs=(taxonomy,))
    try:
        ahead: deque[Future[_Read]] = deque()
        for start in range(0, len(paths), FILES_PER_TASK):
            ahead.append(pool.submit(_read_files, list(paths[start : start + FILES_PER_TASK])))
            if len(ahead) >= TASKS_AHEAD:
                yield from _days_of(ahead.popleft())
        while ahead:
            yield from _days_of(ahead.popleft())
    finally:  # the reader stopped early (an error, or it closed the iterator): drop what is queued
        pool.shutdown(wait=True, cancel_futures=True)


def _days_of(task: Future[_Read]) -> Iterator[DayList]:
    days, error = task.result()
    yield from days
    if error is not None:
        raise error


def _start_worker(taxonomy: Taxonomy) -> None:
    _worker_taxonomy.append(taxonomy)


def _read_files(paths: list[Path]) -> _Read:
    days: list[DayList] = []
    for path in paths:
        try:
            days.append(read_day_file(path, _worker_taxonomy[0]))
        except HFError as exc:
            return days, exc
    return days, None
