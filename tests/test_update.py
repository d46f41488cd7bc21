"""Incremental updates: bdp index update / add / delete, as editors run them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bdp.cli import main
from indexer.build import build_index
from indexer.generations import (
    CURRENT_FILE,
    GENERATION_PREFIX,
    create_generation,
    current_generation,
)
from indexer.jsonl import read_jsonl, write_jsonl
from indexer.sources import read_sources
from indexer.store import indexed_hashes, stored_records
from indexer.update import update_index
from search_app.web import create_app
from tests.conftest import SEEDS, SMALL_JSONL, ZORY


def invoke(runner, index_dir, *args):
    return runner.invoke(main, ["--index-dir", str(index_dir), *args], catch_exceptions=False)


@pytest.fixture()
def sources(tmp_path) -> Path:
    """An editable copy of the fixture practices, one JSON Lines file."""
    path = tmp_path / "praktyki.jsonl"
    path.write_text(SMALL_JSONL.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture()
def index_dir(tmp_path, sources) -> Path:
    """An index built from the editable sources."""
    path = tmp_path / "ix"
    build_index(read_sources([sources]).practices, path)
    return path


def edit(path: Path, practice_id: str, **changes) -> None:
    """Change one practice in a JSON Lines source, as an editor would."""
    practices = [p for p in read_jsonl(path)]
    changed = [replace(p, **changes) if p.id == practice_id else p for p in practices]
    with path.open("w", encoding="utf-8") as handle:
        write_jsonl(changed, handle)


def test_edited_practice_is_reindexed_and_search_shows_it(runner, index_dir, sources):
    edit(sources, "fx-termomodernizacja", title="Termomodernizacja i fotowoltaika na szkołach")
    result = invoke(runner, index_dir, "index", "update", str(sources))
    assert result.exit_code == 0, result.output
    assert "zaktualizowano: 1" in result.output
    assert "bez zmian: 3" in result.output

    found = invoke(runner, index_dir, "search", "fotowoltaika", "--json")
    assert [hit["id"] for hit in json.loads(found.output)["results"]] == ["fx-termomodernizacja"]


def test_second_update_changes_nothing(runner, index_dir, sources):
    edit(sources, "fx-gops-wies", summary="Nowy opis.")
    first = json.loads(invoke(runner, index_dir, "index", "update", str(sources), "--json").output)
    generation = current_generation(index_dir)
    second = json.loads(invoke(runner, index_dir, "index", "update", str(sources), "--json").output)
    assert first["counts"]["updated"] == 1 and first["changed"]
    assert second["counts"] == {"added": 0, "updated": 0, "unchanged": 4, "removed": 0, "failed": 0}
    assert not second["changed"]
    assert current_generation(index_dir) == generation


def test_change_is_detected_by_content_not_dates(index_dir, sources):
    before = indexed_hashes(index_dir)
    practice = next(p for p in read_jsonl(sources) if p.date_updated)
    edit(sources, practice.id, body=practice.body + " Dopisany akapit.")
    summary = update_index(read_sources([sources]), index_dir)
    assert summary.updated == [practice.id]
    after = indexed_hashes(index_dir)
    assert {k for k in after if after[k] != before[k]} == {practice.id}


def test_new_practice_is_added(index_dir, sources, tmp_path):
    extra = tmp_path / "nowa.jsonl"
    base = next(iter(read_jsonl(sources)))
    with extra.open("w", encoding="utf-8") as handle:
        write_jsonl(
            [replace(base, id="fx-nowa", title="Zupełnie nowa praktyka o pszczołach")], handle
        )
    summary = update_index(read_sources([sources, extra]), index_dir)
    assert summary.added == ["fx-nowa"]
    assert summary.documents == 5
    assert "fx-nowa" in indexed_hashes(index_dir)


def test_missing_practices_are_only_reported_without_prune(runner, index_dir, sources):
    edit_out = [p for p in read_jsonl(sources) if p.id != "fx-gops-wies"]
    with sources.open("w", encoding="utf-8") as handle:
        write_jsonl(edit_out, handle)

    kept = json.loads(invoke(runner, index_dir, "index", "update", str(sources), "--json").output)
    assert kept["not_in_sources"] == ["fx-gops-wies"] and kept["removed"] == []
    assert "fx-gops-wies" in indexed_hashes(index_dir)

    pruned = invoke(runner, index_dir, "index", "update", str(sources), "--prune", "--json")
    assert json.loads(pruned.output)["removed"] == ["fx-gops-wies"]
    assert "fx-gops-wies" not in indexed_hashes(index_dir)


def test_prune_removes_nothing_when_a_source_is_broken(runner, index_dir, sources, tmp_path):
    broken = tmp_path / "zepsuty.jsonl"
    broken.write_text('{"id": "fx-gops-wies", "title": ""}\n', encoding="utf-8")
    good = [p for p in read_jsonl(sources) if p.id != "fx-gops-wies"]
    with sources.open("w", encoding="utf-8") as handle:
        write_jsonl(good, handle)

    before = indexed_hashes(index_dir)
    command = ["--index-dir", str(index_dir), "index", "update", "--prune", str(sources)]
    held = runner.invoke(main, [*command, str(broken), "--json"])
    assert held.exit_code == 1
    summary = json.loads(held.output[held.output.index("{") :])
    assert summary["published"] is False and summary["changed"] is False
    assert summary["failed"][0]["path"].endswith("zepsuty.jsonl")
    assert indexed_hashes(index_dir) == before

    result = runner.invoke(main, [*command, str(broken), "--allow-errors"])
    assert result.exit_code == 1
    assert "zepsuty.jsonl:1" in result.output
    assert "część źródeł ma błędy" in result.output
    assert len(indexed_hashes(index_dir)) == 4


def test_update_with_a_bad_source_changes_nothing_without_allow_errors(
    runner, index_dir, sources, tmp_path
):
    broken = tmp_path / "zepsuty.jsonl"
    broken.write_text('{"id": "nowa", "title": ""}\n', encoding="utf-8")
    new = tmp_path / "nowa.jsonl"
    new.write_text('{"id": "nowa-praktyka", "title": "Nowa praktyka"}\n', encoding="utf-8")
    generation = current_generation(index_dir)
    result = runner.invoke(
        main, ["--index-dir", str(index_dir), "index", "update", str(new), str(broken)]
    )
    assert result.exit_code == 1
    assert "niczego nie zmieniono" in result.output and "--allow-errors" in result.output
    assert current_generation(index_dir) == generation
    assert "nowa-praktyka" not in indexed_hashes(index_dir)


def test_add_and_delete_single_practices(runner, index_dir):
    added = invoke(runner, index_dir, "index", "add", str(SEEDS / "000_3b014753ec2e4c31.txt"))
    assert added.exit_code == 0, added.output
    assert "Dodano: 1" in added.output
    assert "000_3b014753ec2e4c31" in indexed_hashes(index_dir)

    deleted = invoke(runner, index_dir, "index", "delete", "000_3b014753ec2e4c31", "--json")
    assert json.loads(deleted.output)["removed"] == ["000_3b014753ec2e4c31"]
    found = json.loads(invoke(runner, index_dir, "search", "Żory", "--json").output)
    assert "000_3b014753ec2e4c31" not in [hit["id"] for hit in found["results"]]


def test_add_replaces_a_practice_with_the_same_id(index_dir, sources, runner, tmp_path):
    changed = tmp_path / "zmiana.jsonl"
    base = next(p for p in read_jsonl(sources) if p.id == "fx-budzet-obywatelski")
    with changed.open("w", encoding="utf-8") as handle:
        write_jsonl([replace(base, title="Budżet obywatelski dla młodzieży")], handle)
    result = json.loads(invoke(runner, index_dir, "index", "add", str(changed), "--json").output)
    assert result["updated"] == ["fx-budzet-obywatelski"]
    titles = {r["id"]: r["title"] for r in stored_records(index_dir)}
    assert titles["fx-budzet-obywatelski"] == "Budżet obywatelski dla młodzieży"


def test_deleting_an_unknown_id_is_an_error(runner, index_dir):
    result = runner.invoke(main, ["--index-dir", str(index_dir), "index", "delete", "nie-ma"])
    assert result.exit_code == 1
    assert "Nie ma w indeksie: nie-ma" in result.output
    assert len(indexed_hashes(index_dir)) == 4


def test_update_without_an_index_builds_one(runner, tmp_path, sources):
    result = invoke(runner, tmp_path / "nowy", "index", "update", str(sources))
    assert result.exit_code == 0
    assert "Dodano: 4" in result.output


def test_old_and_orphaned_generations_are_cleaned_up(index_dir, sources):
    orphan, ix = create_generation(index_dir)  # as left by a writer killed before publishing
    ix.close()
    for number in range(3):
        edit(sources, "fx-gops-wies", summary=f"Wersja {number}.")
        update_index(read_sources([sources]), index_dir)
    generations = sorted(p.name for p in index_dir.glob(f"{GENERATION_PREFIX}*"))
    live = (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
    assert len(generations) == 2 and live == generations[-1]
    assert orphan not in generations


def test_running_app_serves_the_update_without_restart(index_dir, sources):
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    assert client.get("/api/search", query_string={"q": "pszczelarstwo"}).get_json()["total"] == 0
    edit(sources, "fx-gops-wies", title="Pszczelarstwo w gminie")
    update_index(read_sources([sources]), index_dir)
    found = client.get("/api/search", query_string={"q": "pszczelarstwo"}).get_json()
    assert [hit["id"] for hit in found["results"]] == ["fx-gops-wies"]
    assert client.get("/healthz").get_json()["generation"] == current_generation(index_dir)


@pytest.mark.parametrize("sort", ["relevance", "population", "newest"])
def test_updated_index_answers_like_a_fresh_build(index_dir, sources, tmp_path, sort):
    """Facet counts and sort orders over several segments match a one-segment build."""
    # The changed practice lands alone in a new segment, without some facet values.
    edit(sources, "fx-termomodernizacja", population=None, subcategory=None, voivodeship="opolskie")
    update_index(read_sources([sources]), index_dir)
    fresh = tmp_path / "fresh"
    build_index(read_sources([sources]).practices, fresh)

    def answer(directory: Path) -> dict:
        client = create_app({"TESTING": True, "INDEX_DIR": str(directory)}).test_client()
        data = client.get("/api/search", query_string={"sort": sort}).get_json()
        return {"ids": [hit["id"] for hit in data["results"]], "facets": data["facets"]}

    assert answer(index_dir) == answer(fresh)


def test_edited_bdp_page_shows_in_search_after_update(runner, tmp_path):
    pages = tmp_path / "strony"
    pages.mkdir()
    page = pages / ZORY.name
    page.write_text(ZORY.read_text(encoding="utf-8"), encoding="utf-8")
    index_dir = tmp_path / "ix"
    assert invoke(runner, index_dir, "index", "build", str(pages)).exit_code == 0

    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("Bo ważny jest dom", "Bo ważny jest ogród"), encoding="utf-8")
    result = invoke(runner, index_dir, "index", "update", str(pages))
    assert "zaktualizowano: 1" in result.output

    found = json.loads(invoke(runner, index_dir, "search", "ogród", "--json").output)
    assert [hit["title"][:19] for hit in found["results"]] == ["Bo ważny jest ogród"]
