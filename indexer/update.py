"""Incremental changes to the index: update from sources, add practices, delete practices.

Every change is copy-on-write (see :mod:`indexer.store`): under the writer
lock, the live generation is cloned by hard links, only the changed practices
are written into the clone, and the clone is published atomically. Whether a
practice changed is decided by its content hash, never by its dates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from indexer.attachments import file_digests, indexed_hash, prepare_attachments
from indexer.documents import schema_document
from indexer.errors import SourceError
from indexer.generations import (
    PHASE_COMMITTING,
    PHASE_COMPARING,
    PHASE_WRITING,
    OnPhase,
    current_generation,
    generation_transaction,
    remove_old_generations,
)
from indexer.lock import DEFAULT_TIMEOUT, WriterLock
from indexer.records import Practice
from indexer.sources import SourceReport
from indexer.store import indexed_hashes, unread_attachments


@dataclass
class UpdateSummary:
    """What a change did; ``bdp index update --json`` and the editors' endpoint print it."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # In the index but not in the sources: removed only with prune.
    not_in_sources: list[str] = field(default_factory=list)
    # Asked to delete but not in the index.
    not_found: list[str] = field(default_factory=list)
    failed: list[SourceError] = field(default_factory=list)
    # Attachments left out of the index (their practices were written without them).
    attachment_problems: list[SourceError] = field(default_factory=list)
    # Attachment files whose text was read for the written practices (from the cache or not).
    attachments_read: int = 0
    # Prune was asked for but skipped because some sources could not be read.
    prune_skipped: bool = False
    generation: str | None = None
    documents: int = 0
    # False when source errors held the change back (no ``allow_errors``): nothing was written.
    published: bool = True
    # The PID recorded by a writer that died holding the lock, taken over by this run.
    recovered_lock_from: int | None = None

    @property
    def changed(self) -> bool:
        return self.published and bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict:
        """The machine-readable summary (ids sorted, errors with file, line and field)."""
        return {
            "counts": {
                "added": len(self.added),
                "updated": len(self.updated),
                "unchanged": len(self.unchanged),
                "removed": len(self.removed),
                "failed": len(self.failed),
            },
            "added": sorted(self.added),
            "updated": sorted(self.updated),
            "removed": sorted(self.removed),
            "not_in_sources": sorted(self.not_in_sources),
            "not_found": sorted(self.not_found),
            "failed": [
                {"path": e.path, "line": e.line, "field": e.field, "message": e.problem}
                for e in self.failed
            ],
            "attachment_problems": [
                {"path": e.path, "line": e.line, "field": e.field, "message": e.problem}
                for e in self.attachment_problems
            ],
            "attachments_read": self.attachments_read,
            "prune_skipped": self.prune_skipped,
            "changed": self.changed,
            "published": self.published,
            "generation": self.generation,
            "documents": self.documents,
            "recovered_lock_from": self.recovered_lock_from,
        }


@dataclass
class _Plan:
    """The documents to write and the ids to delete, decided from the indexed hashes."""

    write: list[Practice] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)


Planner = Callable[[dict[str, str], UpdateSummary, dict[str, set[str]]], _Plan]
Progress = Callable[[str], None]
PlanSize = Callable[[int], None]


def update_index(
    report: SourceReport,
    index_dir: Path | str,
    *,
    prune: bool = False,
    lock_timeout: float = DEFAULT_TIMEOUT,
    on_wait: Callable[[dict | None], None] | None = None,
    on_progress: Progress | None = None,
    on_plan: PlanSize | None = None,
    allow_errors: bool = False,
    on_phase: OnPhase | None = None,
    on_attachment: Callable[[int, int], None] | None = None,
) -> UpdateSummary:
    """Bring the index in line with the sources read into ``report``.

    New practices are added, changed ones re-indexed, unchanged ones left
    alone. Indexed practices missing from the sources are removed only with
    ``prune`` — and never when some source failed to read, since its
    practices would look missing. If any source failed, nothing is published
    unless ``allow_errors`` (see :func:`_apply`).

    ``on_phase`` hears each phase as it starts (``PHASE_*`` in :mod:`indexer.generations`:
    comparing, then — if anything changes — attachments, writing, committing,
    publishing); ``on_attachment`` gets (attachment files read, files to read).
    """

    def plan(indexed: dict[str, str], summary: UpdateSummary, unread: dict[str, set[str]]) -> _Plan:
        result = _plan_upserts(report.practices, indexed, summary, unread)
        seen = {practice.id for practice in report.practices}
        summary.not_in_sources = sorted(set(indexed) - seen)
        if prune and report.errors:
            summary.prune_skipped = bool(summary.not_in_sources)
        elif prune:
            result.delete = summary.not_in_sources
            summary.removed, summary.not_in_sources = summary.not_in_sources, []
        return result

    summary = _apply(
        index_dir,
        plan,
        report.errors,
        lock_timeout,
        on_wait,
        on_progress,
        on_plan,
        allow_errors,
        on_phase,
        on_attachment,
    )
    summary.attachment_problems[:0] = report.problems
    return summary


def add_practices(
    report: SourceReport,
    index_dir: Path | str,
    *,
    lock_timeout: float = DEFAULT_TIMEOUT,
    on_wait: Callable[[dict | None], None] | None = None,
    allow_errors: bool = False,
) -> UpdateSummary:
    """Add the practices read from some files, replacing indexed ones with the same id."""

    def plan(indexed: dict[str, str], summary: UpdateSummary, unread: dict[str, set[str]]) -> _Plan:
        return _plan_upserts(report.practices, indexed, summary, unread)

    summary = _apply(
        index_dir, plan, report.errors, lock_timeout, on_wait, None, None, allow_errors
    )
    summary.attachment_problems[:0] = report.problems
    return summary


def delete_practices(
    ids: Iterable[str],
    index_dir: Path | str,
    *,
    lock_timeout: float = DEFAULT_TIMEOUT,
    on_wait: Callable[[dict | None], None] | None = None,
) -> UpdateSummary:
    """Remove practices by id; ids not in the index are reported in ``not_found``."""
    wanted = list(dict.fromkeys(ids))

    def plan(indexed: dict[str, str], summary: UpdateSummary, _unread) -> _Plan:
        summary.removed = [i for i in wanted if i in indexed]
        summary.not_found = [i for i in wanted if i not in indexed]
        return _Plan(delete=summary.removed)

    return _apply(index_dir, plan, [], lock_timeout, on_wait, None, None, False)


def _plan_upserts(
    practices: Iterable[Practice],
    indexed: dict[str, str],
    summary: UpdateSummary,
    unread: dict[str, set[str]],
) -> _Plan:
    plan = _Plan()
    for practice in practices:
        known = indexed.get(practice.id)
        digests = file_digests(practice, unread.get(practice.id, ()))
        if known is None:
            summary.added.append(practice.id)
        elif known != indexed_hash(practice, digests):
            summary.updated.append(practice.id)
        else:
            summary.unchanged.append(practice.id)
            continue
        plan.write.append(practice)
    return plan


def _apply(
    index_dir: Path | str,
    plan_changes: Planner,
    errors: list[SourceError],
    lock_timeout: float,
    on_wait: Callable[[dict | None], None] | None,
    on_progress: Progress | None,
    on_plan: PlanSize | None,
    allow_errors: bool,
    on_phase: OnPhase | None = None,
    on_attachment: Callable[[int, int], None] | None = None,
) -> UpdateSummary:
    """Plan under the writer lock, write the plan into a clone, publish the clone.

    A change never publishes less than it was asked for without being told
    to: with source errors and no ``allow_errors`` nothing is written, the
    live index keeps serving and the summary says ``published: false``.
    """
    summary = UpdateSummary(failed=list(errors))
    with WriterLock(index_dir, lock_timeout, on_wait) as lock:
        if lock.recovered:
            summary.recovered_lock_from = lock.recovered.get("pid")
        held_back = bool(errors) and not allow_errors
        if on_phase and not held_back:
            on_phase(PHASE_COMPARING)
        live = current_generation(index_dir)
        indexed = indexed_hashes(index_dir) if live else {}
        if held_back:
            remove_old_generations(index_dir)  # what a killed writer may have left
            summary.published = False
            summary.generation, summary.documents = live, len(indexed)
            return summary
        plan = plan_changes(indexed, summary, unread_attachments(index_dir) if live else {})
        if on_plan:
            on_plan(len(plan.write))
        if not plan.write and not plan.delete:
            remove_old_generations(index_dir)  # what a killed writer may have left
            summary.generation, summary.documents = live, len(indexed)
            return summary
        prepared = prepare_attachments(
            [p for p in plan.write if p.attachments],
            index_dir,
            on_read=on_attachment,
            on_phase=on_phase,
        )
        summary.attachment_problems.extend(prepared.problems)
        summary.attachments_read = sum(len(files) for files in prepared.files.values())
        with generation_transaction(index_dir, clone_from=live, on_phase=on_phase) as (name, ix):
            fields = set(ix.schema.names())
            if on_phase:
                on_phase(PHASE_WRITING)
            with ix.writer() as writer:
                for practice in plan.write:
                    document = schema_document(practice, fields, prepared.of(practice))
                    writer.update_document(**document)
                    if on_progress:
                        on_progress(practice.id)
                for practice_id in plan.delete:
                    writer.delete_by_term("id", practice_id)
                if on_phase:
                    on_phase(PHASE_COMMITTING)  # leaving the block commits (and merges)
            summary.documents = ix.doc_count()
        summary.generation = name
    return summary
