"""The ``bdp`` command: build and inspect the index, search it, export it, serve it.

Messages are in Polish: this is what editors read. Commands stay thin and
call the library (``indexer``, ``search_app``).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from analyzers import ANALYZERS, DEFAULT_ANALYZER
from bdp.polish_click import Choice, FloatRange, IntRange, PolishGroup, option, show_error
from indexer.build import build_index
from indexer.errors import BdpError, IndexWriteError, SourceError, WriteInterrupted
from indexer.extraction import ExtractionLimits
from indexer.generations import (
    PHASE_ATTACHMENTS,
    PHASE_COMMITTING,
    PHASE_COMPARING,
    PHASE_PUBLISHING,
    PHASE_WRITING,
)
from indexer.jsonl import practice_from_dict, write_jsonl
from indexer.limits import current_limits
from indexer.lock import DEFAULT_TIMEOUT
from indexer.messages import describe_os_error
from indexer.records import Practice
from indexer.schema import FACETS
from indexer.sources import DEFAULT_SOURCES, read_sources
from indexer.store import index_stats, open_index, stored_records
from indexer.update import UpdateSummary, add_practices, delete_practices, update_index
from search_app.analytics.reports import DEFAULT_LIMIT, MAX_LIMIT, Period, build_report
from search_app.analytics.settings import ENV_DB, MAX_DAYS, analytics_db_path
from search_app.analytics.text import report_lines
from search_app.engine.evaluation import MATCH_CHOICES, evaluate, load_collection
from search_app.engine.search import SORTS, clean_request, search


@dataclass
class Settings:
    """Options shared by every command."""

    index_dir: Path


pass_settings = click.make_pass_decorator(Settings)


class BdpGroup(PolishGroup):
    """The command group that reports every error in Polish.

    Commands let :class:`BdpError` (a missing or busy index, a failed write, a bad
    setting) propagate; :meth:`invoke` turns it into one line with exit status 1.
    :meth:`main` shows click's own errors (usage errors: exit status 2) in Polish
    instead of letting click print them in English.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BdpError as exc:
            raise click.ClickException(str(exc)) from exc

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            # Without standalone mode click raises its errors instead of printing
            # them, and returns the exit code of a ctx.exit() (--help: 0).
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            show_error(exc)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Przerwano.", err=True)
            sys.exit(1)
        sys.exit(result if type(result) is int else 0)


@click.group(cls=BdpGroup, context_settings={"help_option_names": ["-h", "--help"]})
@option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("index"),
    envvar="BDP_INDEX_DIR",
    show_default=True,
    show_envvar=True,
    help="Katalog indeksu.",
)
@click.pass_context
def main(ctx: click.Context, index_dir: Path) -> None:
    """Wyszukiwarka Bazy Dobrych Praktyk samorządów lokalnych."""
    ctx.obj = Settings(index_dir=index_dir)


@main.group("index")
def index_group() -> None:
    """Budowanie i przeglądanie indeksu."""


def wait_option(command):
    """``--wait``: how long a writing command waits for another writer to finish."""
    return option(
        "--wait",
        "lock_timeout",
        type=FloatRange(0),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        envvar="BDP_LOCK_TIMEOUT",
        show_envvar=True,
        metavar="SEKUNDY",
        help="Ile czekać, gdy indeks zmienia właśnie inny proces.",
    )(command)


def verbose_option(command):
    """``--verbose``: one line per written practice (progress that scripts can follow)."""
    return option(
        "-v", "--verbose", is_flag=True, help="Wypisuj identyfikator każdej zapisanej praktyki."
    )(command)


def allow_errors_option(command):
    """``--allow-errors``: publish the good practices even though some sources failed."""
    return option(
        "--allow-errors",
        is_flag=True,
        help="Opublikuj poprawne praktyki mimo błędnych źródeł (kod wyjścia i tak 1).",
    )(command)


# Signals that stop a writing command cleanly (SIGINT arrives as KeyboardInterrupt).
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Run a writing command: one Polish line and an exit status for every way it can fail.

    SIGTERM and SIGHUP (an init system, a closed terminal, a container stop) are
    turned into :class:`WriteInterrupted`, so the unpublished generation is
    removed, the workers stopped and the lock released as on any error, with no
    traceback. A second signal during that cleanup is ignored.
    """
    previous = _stop_on_signals()
    try:
        yield
    except (WriteInterrupted, KeyboardInterrupt) as exc:
        signum = getattr(exc, "signum", signal.SIGINT)
        click.echo(
            f"Przerwano ({signal.Signals(signum).name}) — nowa wersja indeksu nie została "
            "opublikowana; działający indeks pozostaje bez zmian.",
            err=True,
        )
        sys.exit(128 + signum)
    except OSError as exc:
        raise click.ClickException(describe_os_error(exc)) from exc
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stop_on_signals() -> dict:
    if threading.current_thread() is not threading.main_thread():
        return {}  # only the main thread may set handlers (CliRunner in a thread, say)

    def interrupt(signum, _frame):
        for other in STOP_SIGNALS:
            signal.signal(other, signal.SIG_IGN)
        raise WriteInterrupted(signum)

    return {signum: signal.signal(signum, interrupt) for signum in STOP_SIGNALS}


def _refuse_with_errors(errors) -> None:
    """Exit 1 without writing: some sources failed and --allow-errors was not given."""
    raise click.ClickException(
        f"Błędne źródła: {len(errors)} — nowa wersja indeksu nie została opublikowana, "
        "działający indeks pozostaje bez zmian. Popraw błędy albo uruchom ponownie "
        "z opcją --allow-errors, aby opublikować poprawne praktyki."
    )


def _say_waiting(holder: dict | None) -> None:
    who = f" (proces {holder['pid']})" if holder and holder.get("pid") else ""
    click.echo(f"Indeks zmienia teraz inny proces{who} — czekam…", err=True)


def _echo_id(practice_id: str) -> None:
    click.echo(practice_id)


def _on_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no such method, or closed
        return False


def _check_settings() -> None:
    """Fail on a bad ``BDP_MAX_*`` setting with its one line, before any work starts."""
    current_limits()
    ExtractionLimits.from_env()


# What a writing command says on standard error as each phase of the write starts;
# reading attachments and indexing practices show a progress bar instead.
READING_SOURCES = "Czytanie źródeł…"
PHASE_LINES = {
    PHASE_COMPARING: "Porównywanie źródeł z indeksem…",
    PHASE_COMMITTING: "Scalanie segmentów i zapis indeksu na dysk…",
    PHASE_PUBLISHING: "Publikowanie nowej wersji indeksu…",
}


class PhaseReport:
    """The phases of a build or an update, on standard error, as they start.

    One line per phase, and a progress bar for the two long ones (reading the
    attachments, indexing the practices); the bar ends when the next phase
    starts, so it never sits at 100 % while Whoosh commits or the disk syncs.
    Off a terminal click prints a bar's label once, so the lines stay readable
    in a log. ``quiet`` says nothing (``--json`` off a terminal: a script reads
    the output). With ``verbose`` each written practice's id goes to standard output.
    """

    def __init__(self, verbose: bool, total: int = 0, *, quiet: bool = False) -> None:
        self.verbose = verbose
        self.total = total  # practices to write: all of them (build) or the plan's (update)
        self.quiet = quiet
        self.bar: Any = None

    def __enter__(self) -> PhaseReport:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._end_bar()

    def planned(self, count: int) -> None:
        self.total = count

    def phase(self, key: str) -> None:
        self._end_bar()
        if self.quiet:
            return
        if key == PHASE_WRITING:
            if self.total:
                self._start_bar(f"Indeksowanie praktyk: {self.total}", self.total)
            else:
                self.say("Usuwanie praktyk z indeksu…")
        elif key != PHASE_ATTACHMENTS:  # that bar starts with the first count
            self.say(PHASE_LINES[key])

    def attachment(self, read: int, wanted: int) -> None:
        if self.quiet:
            return
        if self.bar is None:
            self._start_bar(f"Odczyt załączników: {wanted}", wanted)
        self.bar.update(read - self.bar.pos)

    def practice(self, practice: Practice | str) -> None:
        if self.bar is not None:
            self.bar.update(1)
        if self.verbose:
            _echo_id(practice if isinstance(practice, str) else practice.id)

    def say(self, line: str) -> None:
        if not self.quiet:
            click.echo(line, err=True)

    def _start_bar(self, label: str, length: int) -> None:
        self.bar = click.progressbar(length=length, label=label, show_pos=True, file=sys.stderr)
        self.bar.__enter__()

    def _end_bar(self) -> None:
        if self.bar is not None:
            bar, self.bar = self.bar, None
            bar.__exit__(None, None, None)


@index_group.command("build")
@click.argument("sources", nargs=-1, metavar="[ŹRÓDŁA]...", type=click.Path(path_type=Path))
@wait_option
@verbose_option
@allow_errors_option
@pass_settings
def index_build(
    settings: Settings,
    sources: tuple[Path, ...],
    lock_timeout: float,
    verbose: bool,
    allow_errors: bool,
) -> None:
    """Zbuduj indeks od nowa ze ŹRÓDEŁ (pliki .txt stron BDP, .jsonl lub katalogi).

    Bez argumentów indeksuje dołączone dane (data/practices). Nowy indeks
    zastępuje działający dopiero, gdy jest kompletny. Jeśli któreś źródło ma
    błędy, są one wypisywane, nic nie jest publikowane, a polecenie kończy się
    kodem 1; z --allow-errors publikuje poprawne praktyki (kod wyjścia i tak 1).
    """
    _check_settings()
    with writing():
        click.echo(READING_SOURCES, err=True)
        report = read_sources(sources or [DEFAULT_SOURCES])
        _report_errors(report.errors)
        if report.errors and not allow_errors:
            _refuse_with_errors(report.errors)
        if not report.practices:
            raise click.ClickException(
                "Nie znaleziono żadnej poprawnej praktyki — indeks pozostaje bez zmian."
            )
        with PhaseReport(verbose, total=len(report.practices)) as phases:
            problems = list(report.problems)
            try:
                count = build_index(
                    report.practices,
                    settings.index_dir,
                    phases.practice,
                    lock_timeout,
                    _say_waiting,
                    on_problem=problems.append,
                    on_phase=phases.phase,
                    on_attachment=phases.attachment,
                )
            except IndexWriteError as exc:
                origin = report.origins.get(exc.practice_id or "")
                if origin:
                    raise IndexWriteError(f"{exc} (źródło: {origin})") from exc
                raise
    click.echo(
        f"Zaindeksowano praktyk: {count} (plików źródłowych: {report.files}) "
        f"w {settings.index_dir}."
    )
    _report_problems(problems)
    if report.errors:
        click.echo(f"Pominięto błędne źródła: {len(report.errors)}.", err=True)
    if report.errors or problems:
        sys.exit(1)


@index_group.command("update")
@click.argument("sources", nargs=-1, metavar="[ŹRÓDŁA]...", type=click.Path(path_type=Path))
@option("--prune", is_flag=True, help="Usuń z indeksu praktyki, których nie ma już w źródłach.")
@option("--json", "as_json", is_flag=True, help="Podsumowanie w formacie JSON.")
@wait_option
@verbose_option
@allow_errors_option
@pass_settings
def index_update(
    settings: Settings,
    sources: tuple[Path, ...],
    prune: bool,
    as_json: bool,
    lock_timeout: float,
    verbose: bool,
    allow_errors: bool,
) -> None:
    """Uaktualnij indeks ze ŹRÓDEŁ: dodaj nowe praktyki, przeindeksuj zmienione.

    Zmianę rozpoznaje po treści praktyki (nie po datach); niezmienione zostają
    nietknięte. Praktyki, których nie ma już w źródłach, usuwa tylko z --prune
    (bez tej opcji tylko je wypisuje). Bez argumentów czyta data/practices.
    Ponowne uruchomienie niczego już nie zmienia. Jeśli któreś źródło ma
    błędy, nic nie jest zmieniane (kod wyjścia 1), chyba że podano --allow-errors.
    """
    _check_settings()
    # With --json off a terminal a script reads the output: no phases, only the JSON.
    quiet = as_json and not _on_terminal(sys.stderr)
    with writing(), PhaseReport(verbose, quiet=quiet) as phases:
        phases.say(READING_SOURCES)
        report = read_sources(sources or [DEFAULT_SOURCES])
        _report_errors(report.errors)
        summary = update_index(
            report,
            settings.index_dir,
            prune=prune,
            lock_timeout=lock_timeout,
            on_wait=_say_waiting,
            on_progress=phases.practice,
            on_plan=phases.planned,
            allow_errors=allow_errors,
            on_phase=phases.phase,
            on_attachment=phases.attachment,
        )
    _finish(summary, as_json, failed=bool(summary.failed or summary.attachment_problems))


@index_group.command("add")
@click.argument(
    "files", nargs=-1, required=True, metavar="PLIKI...", type=click.Path(path_type=Path)
)
@option("--json", "as_json", is_flag=True, help="Podsumowanie w formacie JSON.")
@wait_option
@allow_errors_option
@pass_settings
def index_add(
    settings: Settings,
    files: tuple[Path, ...],
    as_json: bool,
    lock_timeout: float,
    allow_errors: bool,
) -> None:
    """Dodaj do indeksu praktyki z PLIKÓW (.txt strony BDP lub .jsonl).

    Praktyka o identyfikatorze, który już jest w indeksie, zostaje zastąpiona.
    Jeśli któryś plik ma błędy, nic nie jest dodawane, chyba że podano --allow-errors.
    """
    with writing():
        report = read_sources(files)
        _report_errors(report.errors)
        summary = add_practices(
            report,
            settings.index_dir,
            lock_timeout=lock_timeout,
            on_wait=_say_waiting,
            allow_errors=allow_errors,
        )
    _finish(summary, as_json, failed=bool(summary.failed or summary.attachment_problems))


@index_group.command("delete")
@click.argument("ids", nargs=-1, required=True, metavar="IDENTYFIKATORY...")
@option("--json", "as_json", is_flag=True, help="Podsumowanie w formacie JSON.")
@wait_option
@pass_settings
def index_delete(
    settings: Settings, ids: tuple[str, ...], as_json: bool, lock_timeout: float
) -> None:
    """Usuń z indeksu praktyki o podanych IDENTYFIKATORACH.

    Uwaga: jeśli praktyka nadal jest w źródłach, następne „bdp index update”
    doda ją ponownie — usuń też jej plik albo wiersz.
    """
    with writing():
        summary = delete_practices(
            ids, settings.index_dir, lock_timeout=lock_timeout, on_wait=_say_waiting
        )
    _finish(summary, as_json, failed=bool(summary.not_found))


def _finish(summary: UpdateSummary, as_json: bool, failed: bool) -> None:
    """Print the summary (Polish text or JSON) and exit 1 if something was not done."""
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        _echo_summary(summary)
    if failed:
        sys.exit(1)


def _echo_summary(summary: UpdateSummary) -> None:
    if not summary.published:
        click.echo(
            f"Błędne źródła: {len(summary.failed)} — niczego nie zmieniono, działający indeks "
            f"({summary.documents} praktyk) pozostaje bez zmian. Popraw błędy albo uruchom "
            "ponownie z opcją --allow-errors, aby opublikować poprawne praktyki.",
            err=True,
        )
        return
    if summary.recovered_lock_from:
        click.echo(
            f"Przejęto blokadę po przerwanym procesie {summary.recovered_lock_from}; "
            "jego niedokończone zmiany usunięto, indeks jest w ostatniej pełnej wersji.",
            err=True,
        )
    click.echo(
        f"Dodano: {len(summary.added)}, zaktualizowano: {len(summary.updated)}, "
        f"bez zmian: {len(summary.unchanged)}, usunięto: {len(summary.removed)}, "
        f"błędy: {len(summary.failed)}."
    )
    for label, ids in (
        ("Dodane", summary.added),
        ("Zaktualizowane", summary.updated),
        ("Usunięte", summary.removed),
    ):
        if ids:
            click.echo(f"{label}: {_some(sorted(ids))}")
    if summary.not_found:
        click.echo(f"Nie ma w indeksie: {_some(summary.not_found)}", err=True)
    if summary.not_in_sources:
        click.echo(f"Nie ma w źródłach (pozostają w indeksie): {_some(summary.not_in_sources)}")
        if summary.prune_skipped:
            click.echo(
                "Nie usunięto ich, bo część źródeł ma błędy — popraw je i uruchom ponownie.",
                err=True,
            )
        else:
            click.echo("Aby je usunąć, uruchom ponownie z opcją --prune.")
    state = "bez zmian" if not summary.changed else f"nowa wersja {summary.generation}"
    click.echo(f"Praktyk w indeksie: {summary.documents} ({state}).")
    if summary.attachments_read:
        click.echo(f"Odczytane załączniki: {summary.attachments_read}.")
    _report_problems(summary.attachment_problems)


def _some(ids: list[str], shown: int = 10) -> str:
    more = f" … i {len(ids) - shown} innych" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


@index_group.command("stats")
@option("--json", "as_json", is_flag=True, help="Wynik w formacie JSON.")
@pass_settings
def index_stats_command(settings: Settings, as_json: bool) -> None:
    """Pokaż liczbę praktyk, rozmiar indeksu i wartości facet."""
    stats = index_stats(settings.index_dir)
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    click.echo(f"Indeks:     {stats['index_dir']} ({stats['generation']})")
    click.echo(f"Praktyk:    {stats['documents']}")
    click.echo(f"Rozmiar:    {stats['size_bytes'] / 1024:.1f} KiB")
    for facet, counts in stats["facets"].items():
        shown = ", ".join(f"{value} ({count})" for value, count in list(counts.items())[:8])
        more = f" … i {len(counts) - 8} innych" if len(counts) > 8 else ""
        click.echo(f"{FACETS[facet]}: {shown}{more}")


@main.command("search")
@click.argument("query", default="", metavar="[ZAPYTANIE]")
@option(
    "--filter",
    "filters",
    multiple=True,
    metavar="POLE=WARTOŚĆ",
    help=f"Filtr faset, np. voivodeship=śląskie; pola: {', '.join(FACETS)}.",
)
@option("--limit", default=10, show_default=True, type=IntRange(1, 100), help="Liczba wyników.")
@option("--page", default=1, show_default=True, type=IntRange(1), help="Strona.")
@option(
    "--sort",
    type=Choice(list(SORTS)),
    default="relevance",
    show_default=True,
    help="Porządek wyników.",
)
@option("--json", "as_json", is_flag=True, help="Wynik dokładnie taki jak z /api/search.")
@pass_settings
def search_command(
    settings: Settings,
    query: str,
    filters: tuple[str, ...],
    limit: int,
    page: int,
    sort: str,
    as_json: bool,
) -> None:
    """Szukaj praktyk, np.: bdp search "rodzinach zastępczych" --filter voivodeship=śląskie"""
    request, _notes = clean_request(
        query, page=page, per_page=limit, sort=sort, filters=_parse_filters(filters)
    )
    ix = open_index(settings.index_dir)
    with ix.searcher() as searcher:
        response = search(searcher, request)  # the request's notes come first
    if as_json:
        click.echo(json.dumps(response.to_dict(), ensure_ascii=False, indent=2))
        return
    for message in response.messages:
        click.echo(message, err=True)
    if response.suggestion:
        click.echo(f"Czy chodziło Ci o: {response.suggestion}? (pokazuję wyniki dla tej pisowni)")
    click.echo(f"Znaleziono: {response.total} (strona {response.page} z {response.pages})")
    first = (response.page - 1) * response.per_page
    for number, hit in enumerate(response.results, start=first + 1):
        place = ", ".join(v for v in (hit.town, hit.voivodeship) if v)
        click.echo(f"{number:>3}. {hit.title}")
        click.echo(f"     {hit.id} · {hit.category or ''} · {place} · {hit.date_added}")
        source = hit.snippet_source
        if source:
            where = f"„{source.attachment}”" + (f", s. {source.page}" if source.page else "")
            click.echo(f"     znalezione w załączniku {where}")


def _parse_filters(filters: tuple[str, ...]) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for item in filters:
        name, sep, value = item.partition("=")
        if not sep or not value.strip():
            raise click.BadParameter(
                f"oczekiwano POLE=WARTOŚĆ, jest {item!r}", param_hint="--filter"
            )
        if name.strip() not in FACETS:
            raise click.BadParameter(
                f"nieznane pole {name!r}; dostępne: {', '.join(FACETS)}", param_hint="--filter"
            )
        parsed.setdefault(name.strip(), []).append(value.strip())
    return parsed


@main.command("export")
@click.argument("sources", nargs=-1, metavar="[ŹRÓDŁA]...", type=click.Path(path_type=Path))
@option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Plik wynikowy (domyślnie standardowe wyjście).",
)
@pass_settings
def export_command(settings: Settings, sources: tuple[Path, ...], output) -> None:
    """Zapisz praktyki w formacie JSON Lines (jedna praktyka w wierszu).

    Bez argumentów eksportuje zawartość indeksu; ze ŹRÓDŁAMI — odczytane
    z nich praktyki. Wynik można ponownie zaindeksować: bdp index build plik.jsonl
    """
    if sources:
        report = read_sources(sources)
        _report_errors(report.errors)
        practices = report.practices
    else:
        practices, errors = _indexed_practices(settings.index_dir)
        _report_errors(errors)
    failed = bool(report.errors if sources else errors)
    try:
        count = write_jsonl(practices, output)
        output.flush()
    except BrokenPipeError:
        # The reader (say, head) has what it wanted: not an error of the export.
        _quiet_broken_pipe(1 if failed else 0)
    click.echo(f"Wyeksportowano praktyk: {count}.", err=True)
    if failed:
        sys.exit(1)


def _quiet_broken_pipe(status: int) -> NoReturn:
    """Exit without a word when the reader of standard output has gone away.

    Python's recipe (documentation of the signal module, "Note on SIGPIPE"):
    point standard output at devnull, so the flush at exit does not fail again.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (CliRunner, say)
        pass
    sys.exit(status)


def _indexed_practices(index_dir: Path) -> tuple[list[Practice], list[SourceError]]:
    """The indexed records as practices; a record today's limits refuse (from an index
    built before them) is reported, not exported, so the export always rebuilds."""
    practices, errors = [], []
    for record in stored_records(index_dir):
        try:
            practices.append(practice_from_dict(record, "indeks", None))
        except SourceError as error:
            errors.append(error)
    return practices, errors


@main.command("eval")
@option(
    "--corpus",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help='Dokumenty: plik JSON Lines {"id", "title", "text"} albo katalog praktyk '
    "(np. data/practices; przeszukiwane jak w indeksie, z miejscowością i województwem).",
)
@option(
    "--queries",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='Zapytania, JSON Lines: {"id", "text"} (inne klucze są pomijane).',
)
@option(
    "--qrels",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Oceny: id-zapytania<TAB>id-dokumentu<TAB>ocena.",
)
@option(
    "--analyzer",
    type=Choice(list(ANALYZERS)),
    default=DEFAULT_ANALYZER,
    show_default=True,
    help="Konfiguracja analizy tekstu.",
)
@option(
    "--match",
    type=Choice(MATCH_CHOICES),
    default="auto",
    show_default=True,
    help="Które słowa zapytania musi zawierać wynik: auto — wszystkie, a gdy ma je mniej "
    "niż 10 praktyk, co najmniej dwa z nich; all — wszystkie; any — dowolne.",
)
@option("--json", "as_json", is_flag=True, help="Wynik w formacie JSON.")
def eval_command(
    corpus: Path, queries: Path, qrels: Path, analyzer: str, match: str, as_json: bool
) -> None:
    """Zmierz trafność wyszukiwania na kolekcji testowej.

    Dokumenty trafiają do tymczasowego indeksu, a każde zapytanie jest
    wykonywane tak jak /api/search?q=…, strona po stronie, aż do ostatniego
    wyniku. Miary kolejności (nDCG@10, MRR@10, P@5, Recall@100) i całego zbioru
    wyników (precyzja, pełność, odsetek zapytań bez wyników) liczone są dla zapytań
    z co najmniej jedną trafną oceną; dla zapytań bez ocen (tematy spoza kolekcji)
    podawana jest średnia liczba wyników.
    """
    try:
        collection = load_collection(corpus, queries, qrels)
    except (ValueError, KeyError) as exc:
        raise click.ClickException(f"Błędna kolekcja testowa: {exc}") from exc
    scores = evaluate(collection, analyzer=analyzer, match=match).to_dict()
    if as_json:
        click.echo(json.dumps(scores, ensure_ascii=False))
        return

    def number(value: float | int | None) -> str:
        return "—" if value is None else f"{value:.4f}"

    click.echo(f"Analizator:  {analyzer}")
    click.echo(f"Dopasowanie: {match}")
    click.echo(f"Zapytań:     {scores['queries']}")
    for metric in ("ndcg@10", "mrr@10", "recall@100", "p@5"):
        click.echo(f"{metric + ':':<12} {number(scores[metric])}")
    click.echo("Cały zbiór wyników:")
    click.echo(f"  precyzja:              {number(scores['set_precision'])}")
    click.echo(f"  pełność:               {number(scores['set_recall'])}")
    click.echo(f"  zapytania bez wyników: {number(scores['zero_results'])}")
    absent = scores["absent_queries"]
    if absent:
        click.echo(
            f"Zapytania bez trafnych dokumentów (tematy spoza kolekcji): {absent}, "
            f"średnio {scores['absent_results']:.2f} wyników"
        )


@main.command("analytics")
@option(
    "--dni",
    "days",
    default=30,
    show_default=True,
    type=IntRange(1, MAX_DAYS),
    help="Z ilu ostatnich dni.",
)
@option(
    "--limit",
    default=DEFAULT_LIMIT,
    show_default=True,
    type=IntRange(1, MAX_LIMIT),
    help="Najwięcej wierszy w każdym zestawieniu.",
)
@option("--json", "as_json", is_flag=True, help="Wynik w formacie JSON.")
@pass_settings
def analytics_command(settings: Settings, days: int, limit: int, as_json: bool) -> None:
    """Pokaż, czego szukają odwiedzający: dziennik wyszukiwań z ostatnich dni.

    Najczęstsze zapytania, zapytania bez wyników, poprawione zapytania, słowa
    nieznane w indeksie i klikalność wyników (CTR). Dziennik nie zawiera adresów
    ani innych danych o odwiedzających. Plik: analytics.sqlite3 w katalogu
    indeksu albo wskazany zmienną BDP_ANALYTICS_DB.
    """
    path = analytics_db_path(settings.index_dir)
    report = build_report(path, Period.last_days(days), limit=limit)
    if not report.exists:
        click.echo(
            f"Nie ma jeszcze dziennika wyszukiwań ({path}) — raport jest pusty. Dziennik "
            f"powstaje, gdy wyszukiwarka obsłuży pierwsze zapytania; inne miejsce wskazuje "
            f"zmienna {ENV_DB}.",
            err=True,
        )
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    for line in report_lines(report):
        click.echo(line)


@main.command("serve")
@option("--host", default="127.0.0.1", show_default=True, metavar="ADRES", help="Adres nasłuchu.")
@option(
    "--port",
    default=5000,
    show_default=True,
    type=IntRange(0, 65535),
    help="Port (0 — dowolny wolny).",
)
@option(
    "--workers",
    default=2,
    show_default=True,
    type=IntRange(1, 32),
    help="Liczba procesów roboczych gunicorna.",
)
@option(
    "--threads",
    default=1,
    show_default=True,
    envvar="BDP_THREADS",
    type=IntRange(1, 32),
    help="Liczba wątków w każdym procesie roboczym.",
)
@pass_settings
def serve_command(settings: Settings, host: str, port: int, workers: int, threads: int) -> None:
    """Uruchom wyszukiwarkę (gunicorn) pod adresem http://HOST:PORT/.

    Adres jest wypisywany, gdy port już przyjmuje połączenia; zajęty port
    kończy polecenie jednym wierszem błędu i kodem 1.
    """
    from search_app.web.server import address_url, listen, run_gunicorn

    open_index(settings.index_dir).close()
    listener = listen(host, port)
    click.echo(f"Wyszukiwarka działa pod adresem {address_url(host, listener)} (Ctrl+C kończy).")
    run_gunicorn(settings.index_dir, listener, workers, threads=threads)


def _report_errors(errors) -> None:
    for error in errors:
        click.echo(f"Błąd: {error}", err=True)


def _report_problems(problems) -> None:
    """Attachments left out: their practices are indexed, but the editor has to know."""
    for problem in problems:
        click.echo(f"Załącznik pominięty: {problem}", err=True)
    if problems:
        click.echo(
            f"Pominięte załączniki: {len(problems)} — ich praktyki zaindeksowano bez nich.",
            err=True,
        )
