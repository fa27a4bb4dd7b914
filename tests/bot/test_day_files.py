"""Recorded day files read by a worker process: the same day lists as reading them here, in order."""

from __future__ import annotations

import multiprocessing
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.day_files import read_day_file, read_day_files
from bot.fields import default_taxonomy
from bot.ingest import store_day_lists
from bot.sources.hf import HFError, parse_day
from storage.db import Database
from storage.tables import Listing

FILES = 25  # more than one task of the worker, fewer than its read-ahead


def recorded(corpus: Path) -> list[Path]:
    return sorted(corpus.glob("*.json"))[:FILES]


def test_the_worker_reads_what_this_process_reads(hf_corpus_dir: Path) -> None:
    taxonomy = default_taxonomy()
    paths = recorded(hf_corpus_dir)
    expected = [read_day_file(p, taxonomy) for p in paths]
    assert list(read_day_files(paths, taxonomy)) == expected
    assert all(p.fields and p.fields_origin == "classifier" for d in expected for p in d.papers)
    first = parse_day(paths[0].read_bytes(), expected[0].day)  # only the fields were added
    assert [replace(p, fields=(), fields_origin="") for p in expected[0].papers] == [
        replace(p, fields=(), fields_origin="") for p in first.papers
    ]


def test_a_bad_file_stops_the_import_after_the_days_before_it(
    db: Database, hf_corpus_dir: Path, tmp_path: Path
) -> None:
    paths = []
    for source in recorded(hf_corpus_dir)[:6]:
        paths.append(tmp_path / source.name)
        shutil.copy(source, paths[-1])
    paths[4].write_text('[{"paper": ', encoding="utf-8")
    with pytest.raises(
        HFError, match=rf"^{paths[4].name}: Hugging Face returned a body that is not valid JSON$"
    ):
        store_day_lists(db, read_day_files(paths, default_taxonomy()), default_taxonomy(), per_transaction=2)
    with db.session() as session:
        stored_days = sorted(set(session.scalars(select(Listing.day))))
    assert [d.isoformat() for d in stored_days] == [p.stem for p in paths[:4]]
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [("latest.json", "the file name is not a day"), ("2025-02-30.json", "the file name is not a day")],
)
def test_a_file_must_be_named_by_its_day(tmp_path: Path, name: str, reason: str) -> None:
    path = tmp_path / name
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(HFError, match=rf"^{name}: {reason} \(YYYY-MM-DD.json\)$"):
        list(read_day_files([path], default_taxonomy()))


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(HFError, match=r"^2025-02-11.json: cannot be read \(No such file or directory\)$"):
        read_day_file(tmp_path / "2025-02-11.json", default_taxonomy())


def test_closing_early_stops_the_worker(hf_corpus_dir: Path) -> None:
    paths = sorted(hf_corpus_dir.glob("*.json"))  # far more than the worker reads ahead
    days = read_day_files(paths, default_taxonomy())
    assert next(days).day.isoformat() == paths[0].stem
    days.close()
    assert multiprocessing.active_children() == []
