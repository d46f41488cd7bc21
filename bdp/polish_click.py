"""click in Polish: help headings, the help option, parameter types and usage errors.

Only click's extension points are used: a :class:`click.Context` subclass with
its own :class:`click.HelpFormatter`, command and group classes that name the
help option and the metavars in Polish, parameter types whose conversion fails
with a Polish message, and :func:`show_error`, which the command group's
``main`` calls instead of :meth:`click.ClickException.show`.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from typing import Any

import click

HELP_TEXT = "Pokaż tę pomoc i zakończ."

# The section headings click writes (Command.format_options, Group.format_commands…).
HEADINGS = {
    "Options": "Opcje",
    "Commands": "Polecenia",
    "Positional arguments": "Argumenty",
}


def quote(text: object) -> str:
    """Polish quotation marks, as in every other message of the CLI."""
    return f"„{text}”"


class PolishFormatter(click.HelpFormatter):
    """Writes "Użycie:" and Polish section headings."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "Użycie: " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(HEADINGS.get(heading, heading))


class PolishContext(click.Context):
    formatter_class = PolishFormatter


# click names an option's value after its type ("DIRECTORY", "INTEGER"): the Polish words.
METAVARS = {
    "directory": "KATALOG",
    "file": "PLIK",
    "filename": "PLIK",
    "path": "ŚCIEŻKA",
    "text": "TEKST",
    "integer": "LICZBA",
    "float": "LICZBA",
    "boolean": "TAK|NIE",
}


class PolishOption(click.Option):
    """An option whose value name and bracketed help extras (default, variable, range)
    are Polish."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.metavar is None and not self.is_flag:
            self.metavar = METAVARS.get(self.type.name)

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        if record is None:
            return None
        extra = self.get_help_extra(ctx)
        items = []
        if "envvars" in extra:
            items.append(f"zmienna środowiskowa: {', '.join(extra['envvars'])}")
        if "default" in extra:
            items.append(f"domyślnie: {extra['default']}")
        if "range" in extra:
            items.append(extra["range"])
        if "required" in extra:
            items.append("wymagana")
        help_text = self.help or ""
        if items:
            joined = "; ".join(items)
            help_text = f"{help_text}  [{joined}]" if help_text else f"[{joined}]"
        return record[0], help_text


option = functools.partial(click.option, cls=PolishOption)


class PolishCommand(click.Command):
    """A command with Polish help: "[OPCJE]" and the help option's text."""

    context_class = PolishContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPCJE]")
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            # The parser raises some errors (an option without its value) with no
            # context; attach it, as click's augment_usage_errors does for others.
            if exc.ctx is None:
                exc.ctx = ctx
            raise

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        help_option = super().get_help_option(ctx)
        if help_option is not None:
            help_option.help = HELP_TEXT
        return help_option


class PolishGroup(PolishCommand, click.Group):
    """A group whose commands and sub-groups are Polish as well."""

    command_class = PolishCommand
    group_class = type  # sub-groups are of the same class

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "POLECENIE [ARGUMENTY]...")
        super().__init__(*args, **kwargs)


class _PolishNumber:
    """A click number range that fails in Polish; ``parse`` and ``not_a_number`` say how."""

    name = "liczba"
    not_a_number = "nie jest liczbą."

    def parse(self, value: Any) -> Any:
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            number = self.parse(value)
        except (TypeError, ValueError):
            self.fail(f"{quote(value)} {self.not_a_number}", param, ctx)  # type: ignore[attr-defined]
        try:
            return super().convert(number, param, ctx)  # type: ignore[misc]
        except click.BadParameter:
            self.fail(_out_of_range(value, self), param, ctx)  # type: ignore[attr-defined,arg-type]


class IntRange(_PolishNumber, click.IntRange):
    """``click.IntRange`` failing in Polish (no bounds: any integer)."""

    not_a_number = "nie jest liczbą całkowitą."

    def parse(self, value: Any) -> int:
        return int(value)


class FloatRange(_PolishNumber, click.FloatRange):
    """``click.FloatRange`` failing in Polish."""

    def parse(self, value: Any) -> float:
        return float(value)


def _out_of_range(value: object, bounds: click.IntRange | click.FloatRange) -> str:
    parts = []
    if bounds.min is not None:
        parts.append(f"{'większa niż' if bounds.min_open else 'co najmniej'} {bounds.min}")
    if bounds.max is not None:
        parts.append(f"{'mniejsza niż' if bounds.max_open else 'co najwyżej'} {bounds.max}")
    return f"{quote(value)} jest poza zakresem: wartość musi być {' i '.join(parts)}."


class Choice(click.Choice):
    """``click.Choice`` failing in Polish."""

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        return f"{quote(value)} nie jest jedną z: {', '.join(map(str, self.choices))}"

    def get_missing_message(self, param: click.Parameter, ctx: click.Context | None) -> str:
        return f"Do wyboru: {', '.join(map(str, self.choices))}."


def show_error(exc: click.ClickException) -> None:
    """Print a click error in Polish, as :meth:`click.ClickException.show` would in English."""
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        exc.show()  # the help itself, already Polish
        return
    lines = []
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        lines.append(exc.ctx.get_usage())
        if exc.ctx.command.get_help_option(exc.ctx) is not None:
            names = exc.ctx.command.get_help_option_names(exc.ctx)
            lines.append(f"Pomoc: {exc.ctx.command_path} {max(names, key=len)}")
        lines.append("")
    lines.append(f"Błąd: {polish_message(exc)}")
    click.echo("\n".join(lines), file=sys.stderr)


def polish_message(exc: click.ClickException) -> str:
    """The message of a click error in Polish; click's own text where there is no translation."""
    if isinstance(exc, click.NoSuchOption):
        return f"Nie ma opcji {quote(exc.option_name)}." + _did_you_mean(exc.possibilities)
    if isinstance(exc, click.exceptions.NoSuchCommand):
        return f"Nie ma polecenia {quote(exc.command_name)}." + _did_you_mean(exc.possibilities)
    if isinstance(exc, click.BadOptionUsage):
        return _bad_option_usage(exc)
    if isinstance(exc, click.MissingParameter):
        return _missing(exc)
    if isinstance(exc, click.BadParameter):
        kind, hint = _param_hint(exc)
        if hint is None:
            return f"Nieprawidłowa wartość: {exc.message}"
        return f"Nieprawidłowa wartość {kind} {hint}: {exc.message}"
    if isinstance(exc, click.FileError):
        return f"Nie można otworzyć pliku {quote(exc.ui_filename)}: {exc.message}"
    return exc.format_message()


def _did_you_mean(possibilities: Sequence[str] | None) -> str:
    if not possibilities:
        return ""
    return f" Czy chodziło o: {', '.join(quote(p) for p in sorted(possibilities))}?"


def _bad_option_usage(exc: click.BadOptionUsage) -> str:
    """The parser's two option errors, told apart by the option itself."""
    command = exc.ctx.command if exc.ctx is not None else None
    for param in command.params if command is not None else []:
        if isinstance(param, click.Option) and exc.option_name in (
            *param.opts,
            *param.secondary_opts,
        ):
            if param.is_flag:
                return f"Opcja {quote(exc.option_name)} nie przyjmuje wartości."
            if param.nargs == 1:
                return f"Opcja {quote(exc.option_name)} wymaga wartości."
    return exc.format_message()


def _param_hint(exc: click.BadParameter) -> tuple[str, str | None]:
    """("opcji"/"argumentu"/"parametru", the quoted names), as click's hint but in Polish."""
    param = exc.param
    kind = {"option": "opcji", "argument": "argumentu"}.get(
        param.param_type_name if param is not None else "", "parametru"
    )
    names: Sequence[str]
    if exc.param_hint is not None:
        names = [exc.param_hint] if isinstance(exc.param_hint, str) else exc.param_hint
        if param is None and all(name.startswith("-") for name in names):
            kind = "opcji"
    elif isinstance(param, click.Option):
        names = param.opts
    elif param is not None and exc.ctx is not None:
        names = [param.make_metavar(exc.ctx)]
    elif param is not None and param.name:
        names = [param.name.upper()]
    else:
        return kind, None
    return kind, " / ".join(quote(name) for name in names)


def _missing(exc: click.MissingParameter) -> str:
    param_type = exc.param_type or (exc.param.param_type_name if exc.param else "parameter")
    what = {"argument": "argumentu", "option": "opcji"}.get(param_type, "parametru")
    _kind, hint = _param_hint(exc)
    text = f"Brak {what}" + (f" {hint}" if hint else "") + "."
    detail = exc.message
    if exc.param is not None and isinstance(exc.param.type, Choice):
        extra = exc.param.type.get_missing_message(exc.param, exc.ctx)
        detail = f"{detail} {extra}" if detail else extra
    return f"{text} {detail}" if detail else text
