"""Query understanding on Whoosh's parse tree, not on the raw query text.

A parser plugin (:class:`UnderstandingPlugin`) walks the syntax tree once the
parser has grouped it and given explicit field names to their words, and
before the words are spread over the text fields:

- a question mark ending a word is punctuation ("Jak zwrócić towar?"), not a
  wildcard: Whoosh would read "towar?" as a pattern and never analyse the word;
- words typed without Polish letters are respelt (:mod:`~search_app.engine.diacritics`);
- misspelt words are corrected (:mod:`~search_app.engine.spelling`), and the
  corrected query is suggested.

Only word nodes searched in the text fields are ever rewritten: field names,
phrases, patterns, ranges and operators stay as typed. Each such word then
becomes one :class:`~search_app.engine.variants.WordQuery` (its lemma, folded
spellings and synonyms), so that operators apply to a word with all its forms
and the matching strategy (:mod:`~search_app.engine.matching`) can require it.
Operators: ``AND``/``I``, ``OR``/``LUB``, ``NOT``/``BEZ``, ``-word``, ``+word``,
``"phrase"``, brackets and ``field:value`` (Polish field names too). Syntax the parser does
not understand (an unclosed bracket, a field name with nothing after it, text
for a numeric field) is marked through the ``error`` attribute Whoosh puts on
query nodes, and the query is then searched as plain words.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup, plugins, syntax
from whoosh.qparser.taggers import FnTagger
from whoosh.query import NullQuery, Or, Query, Term

from analyzers import fold
from analyzers.lemmas import is_dictionary_word
from indexer.schema import FACETS, TEXT_FIELDS
from search_app.engine import synonyms
from search_app.engine.context import QueryContext
from search_app.engine.diacritics import in_text_fields, respelt
from search_app.engine.spelling import corrections
from search_app.engine.variants import expansions, nothing, word_query

NOTE_SYNTAX = "Nie rozpoznano składni zapytania — szukam podanych słów."
NOTE_NO_WORDS = (
    "Zapytanie nie zawiera słów, których można szukać "
    "(spójniki, przyimki i znaki specjalne są pomijane)."
)

# match=any: documents matching more of the query's words score higher, none is required.
OR_GROUP = OrGroup.factory(0.9)

# Operators, also in Polish; upper case only, as "i" and "bez" are everyday words.
OPERATORS = plugins.OperatorsPlugin(
    And=r"(?<=\s)(AND|I|ORAZ)(?=\s)",
    Or=r"(?<=\s)(OR|LUB|ALBO)(?=\s)",
    Not=r"(^|(?<=(\s|[()])))(NOT|BEZ)(?=\s)",
)

# Polish (and diacritics-free) names of the fields a query may name ("województwo:śląskie").
FIELD_ALIASES = {
    "title": ["tytuł", "tytul"],
    "summary": ["opis", "skrót", "skrot"],
    "body": ["treść", "tresc"],
    "metadata": ["miejscowość", "miejscowosc", "miasto", "town", "metryka"],
    "category": ["kategoria"],
    "subcategory": ["podkategoria"],
    "voivodeship": ["województwo", "wojewodztwo", "region"],
    "county": ["powiat"],
    "unit_type": ["jednostka", "typ"],
    "year": ["rok"],
}

# Syntax a plain-terms parser drops, for queries the full parser can't handle.
SYNTAX_PLUGINS = (
    plugins.WildcardPlugin,
    plugins.PhrasePlugin,
    plugins.RangePlugin,
    plugins.GroupPlugin,
    plugins.OperatorsPlugin,
    plugins.BoostPlugin,
    plugins.FieldsPlugin,
    plugins.EveryPlugin,
    plugins.SingleQuotePlugin,
    plugins.FieldAliasPlugin,
)

# The words of a word node: letters and digits, hyphenated compounds whole ("jst-ngo").
# A word directly followed by ":" names a field Whoosh does not know.
WORD = re.compile(r"(?<![\w*?])\w+(?:-\w+)*(?![\w*:]|\?\w)")
# The parts of a word that may be corrected: letters only ("jst-ngo": "jst", "ngo").
LETTERS = re.compile(r"\b[^\W\d_]+\b")

# After the fields filter (100) gave explicit field names to their words, before the
# multifield filter (110) copies every word to each text field.
UNDERSTANDING_PRIORITY = 105
# Before the groups filter (0) turns brackets into groups.
CHECK_PRIORITY = -1
# Before the wildcards filter (50) joins a "?" with the words around it.
QUESTION_MARK_PRIORITY = 40


@dataclass
class Word:
    """A word of the query: where it is in the typed text and how it is now spelt."""

    node: syntax.WordNode
    start: int  # in the node's text
    end: int
    typed: str
    spelt: str = ""  # respelt with Polish letters (or as typed)
    final: str = ""  # and corrected

    def __post_init__(self) -> None:
        self.spelt = self.final = self.typed


@dataclass
class Understood:
    """A parsed query, with the suggestion to show (the query as corrected), if any."""

    query: Query
    suggestion: str | None = None
    # Whether the query was searched as corrected (the suggestion), not as typed.
    corrected: bool = False


class _UnderstoodNode(syntax.SyntaxNode):
    """A word node replaced by one that builds its own query (with the request's context).

    ``has_fieldname`` is False so that Whoosh's multifield filter leaves it alone.
    """

    has_fieldname = False
    has_text = True
    has_boost = True

    def __init__(self, node: syntax.WordNode, context: QueryContext) -> None:
        self.text = node.text
        self.fieldname = node.fieldname
        self.startchar = node.startchar
        self.endchar = node.endchar
        self.boost = getattr(node, "boost", 1.0)
        self.context = context

    def r(self) -> str:
        return f"{self.fieldname}:{self.text!r}" if self.fieldname else repr(self.text)


class WordsNode(_UnderstoodNode):
    """A word node of the text fields, understood: it searches each word with its variants.

    :func:`~search_app.engine.variants.word_query` spreads a word over the text fields.
    """

    def __init__(self, node: syntax.WordNode, context: QueryContext) -> None:
        super().__init__(node, context)
        self.required = False

    def query(self, parser) -> Query:
        found = []
        for match in WORD.finditer(self.text):
            word = word_query(self.context, match.group(), self.fieldname)
            if word is not None:
                found.append(word)
        if not found:
            return NullQuery
        if len(found) == 1:
            word = found[0]
            word.required = self.required
            word.boost *= self.boost
            return word
        return wq.And(found, boost=self.boost)


class FacetValueNode(_UnderstoodNode):
    """``voivodeship:slaskie``: the facet's values this names, ignoring case and diacritics."""

    def query(self, parser) -> Query:
        values = facet_values_named(self.context, self.fieldname, self.text)
        if not values:
            self.context.messages.append(
                f"Pole „{FACETS[self.fieldname]}” nie ma wartości „{self.text[:40]}”."
            )
            return nothing()
        return Or([Term(self.fieldname, value) for value in values])


def facet_values_named(context: QueryContext, name: str, text: str) -> list[str]:
    """The values of facet ``name`` that ``text`` names, ignoring case, diacritics, inflection.

    A value is named when it is equal folded, begins with the text folded ("slask"),
    has the same analysed form ("śląska" and "śląskie") or one the thesaurus gives
    as meaning the same ("małopolska", "Podhale": "małopolskie").
    """
    wanted = fold(text.strip())
    if not wanted:
        return []
    values = [value for value in context.reader.field_terms(name) if isinstance(value, str)]
    equal = [value for value in values if fold(value) == wanted]
    if equal:
        return equal
    sequence = synonyms.sequence(context.analyzer, text)
    meanings = {sequence, *expansions(context, sequence)} if sequence else set()
    return [
        value
        for value in values
        if (len(wanted) >= 3 and fold(value).startswith(wanted))
        or synonyms.sequence(context.analyzer, value) in meanings
    ]


class SignPlugin(plugins.Plugin):
    """``-word`` excludes what the word alone would find; ``+word`` is never left out.

    Unlike Whoosh's PlusMinusPlugin, which regroups the whole query, the signs
    bind only to the node after them, so they combine with the other operators
    and the matching strategy. A sign only counts at the start of a word
    ("e-urząd" keeps its hyphen).
    """

    class Plus(syntax.MarkerNode):
        pass

    class Minus(syntax.MarkerNode):
        pass

    def taggers(self, parser):
        return [
            (FnTagger(r"(?<!\S)\+(?=[\w\"(])", self.Plus, "plus"), 0),
            (FnTagger(r"(?<!\S)[-\u2212](?=[\w\"(])", self.Minus, "minus"), 0),
        ]

    def filters(self, parser):
        # After understanding (105) made word nodes, before the operators (600).
        return [(self.apply_signs, 500)]

    def apply_signs(self, parser, group: syntax.GroupNode) -> syntax.GroupNode:
        nodes = list(group)
        kept: list[syntax.SyntaxNode] = []
        sign = None
        for node in nodes:
            if isinstance(node, syntax.GroupNode):
                node = self.apply_signs(parser, node)
            if isinstance(node, (self.Plus, self.Minus)):
                sign = node
                continue
            if isinstance(node, syntax.Whitespace):
                kept.append(node)
                continue
            if isinstance(sign, self.Minus):
                node = syntax.NotGroup([node])
            elif isinstance(sign, self.Plus) and isinstance(node, WordsNode):
                node.required = True
            sign = None
            kept.append(node)
        group.nodes[:] = kept
        return group


class _SyntaxErrorNode(syntax.ErrorNode):
    """A place where the query's syntax is broken; it searches nothing, with ``error`` set."""

    def query(self, parser) -> Query:
        # Never Whoosh's shared NullQuery: error_query would set ``error`` on it for good.
        return syntax.attach(wq.error_query(self.message), self)


class UnderstandingPlugin(plugins.Plugin):
    """Rewrites the word nodes of one query's syntax tree; see the module's docstring.

    One instance serves one parse: it keeps the query's words for the folded and
    synonym queries and the respelt and corrected text for the suggestion.
    """

    def __init__(
        self, context: QueryContext, text: str, respell: bool = True, correct: bool = True
    ) -> None:
        self.context = context
        self.text = text
        self.respell = respell
        self.correct = correct  # search the corrections (else only suggest them)
        self.words: list[Word] = []
        self.done = False

    def filters(self, parser):
        return [
            (self.check_syntax, CHECK_PRIORITY),
            (self.drop_question_marks, QUESTION_MARK_PRIORITY),
            (self.understand, UNDERSTANDING_PRIORITY),
        ]

    def drop_question_marks(self, parser, group: syntax.GroupNode) -> syntax.GroupNode:
        """Drop the question marks that end a word or a phrase: punctuation, not wildcards.

        "towar?" and "towar?." lose their "?", "szk?ła" keeps it.
        """
        nodes = list(group)
        kept: list[syntax.SyntaxNode] = []
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if isinstance(node, syntax.GroupNode):
                self.drop_question_marks(parser, node)
            elif _is_question_mark(node) and kept and _ends_word(kept[-1], node):
                end = i + 1  # a run of adjacent marks: "towar??"
                while end < len(nodes) and _is_question_mark(nodes[end]):
                    if nodes[end].startchar != nodes[end - 1].endchar:
                        break
                    end += 1
                following = nodes[end] if end < len(nodes) else None
                if not _starts_word(nodes[end - 1], following):
                    i = end
                    continue
                kept.extend(nodes[i:end])
                i = end
                continue
            kept.append(node)
            i += 1
        group.nodes[:] = kept
        return group

    def check_syntax(self, parser, group: syntax.GroupNode) -> syntax.GroupNode:
        """Mark unclosed brackets and field names followed by nothing as syntax errors.

        ("Jak to działa:" names no field: its colon is punctuation.)
        """
        opened: list[syntax.SyntaxNode] = []
        broken: list[syntax.SyntaxNode] = []
        nodes = [n for n in group if not isinstance(n, syntax.Whitespace)]
        for i, node in enumerate(nodes):
            if isinstance(node, plugins.GroupPlugin.OpenBracket):
                opened.append(node)
            elif isinstance(node, plugins.GroupPlugin.CloseBracket) and opened:
                opened.pop()
            elif isinstance(node, syntax.FieldnameNode) and node.fieldname in parser.schema:
                following = nodes[i + 1] if i + 1 < len(nodes) else None
                if following is None or isinstance(following, plugins.GroupPlugin.CloseBracket):
                    broken.append(node)
        for node in [*broken, *opened]:
            group.append(_SyntaxErrorNode(f"unexpected {node!r}", node))
        return group

    def understand(self, parser, group: syntax.GroupNode) -> syntax.GroupNode:
        if self.done:  # a group re-filtered: already understood
            return group
        self.done = True
        self._walk(group, None)
        self.words.sort(key=lambda w: (w.node.startchar, w.start))
        if self.respell:
            self._respell()
            self._correct()
        searched = "final" if self.correct else "spelt"
        for node, words in itertools.groupby(self.words, key=lambda w: w.node):
            node.text = _replaced(
                node.text, ((w.start, w.end, getattr(w, searched)) for w in words)
            )
        return self._understood(group, None)

    def _understood(self, group: syntax.GroupNode, fieldname: str | None) -> syntax.GroupNode:
        """``group`` with its word nodes of the text fields and the facets understood."""
        for i, node in enumerate(group):
            name = getattr(node, "fieldname", None) or fieldname
            if isinstance(node, syntax.GroupNode):
                group[i] = self._understood(node, name)
            elif isinstance(node, syntax.WordNode) and not isinstance(node, WordsNode):
                if name is None or name in TEXT_FIELDS:
                    node.fieldname = name
                    group[i] = WordsNode(node, self.context)
                elif name in FACETS:
                    node.fieldname = name
                    group[i] = FacetValueNode(node, self.context)
        return group

    def _walk(self, group: syntax.GroupNode, fieldname: str | None) -> None:
        for node in group:
            name = getattr(node, "fieldname", None) or fieldname
            if isinstance(node, syntax.GroupNode):
                self._walk(node, name)
                continue
            if name is not None and name not in TEXT_FIELDS:
                continue
            if isinstance(node, syntax.WordNode):
                typed = self.text[node.startchar : node.endchar]
                if typed.startswith(node.text):  # its place in the typed text is known
                    self.words.extend(
                        Word(node, m.start(), m.end(), m.group()) for m in WORD.finditer(node.text)
                    )

    def _respell(self) -> None:
        context = self.context
        if not context.folded:
            return
        typed_without = fold(self.text) == self.text.lower()
        for word in self.words[: context.budget.max_words]:
            better = respelt(context, word.typed, typed_without)
            if better is not None:
                word.spelt = word.final = better

    def _correct(self) -> None:
        parts = [
            (word, m)
            for word in self.words
            if not self._known_compound(word.spelt)
            for m in LETTERS.finditer(word.spelt)
        ][: self.context.budget.max_words]
        found = corrections(self.context, (m.group().lower() for _word, m in parts))
        if not found:
            return
        for word, group in itertools.groupby(parts, key=lambda p: p[0]):
            changes = []
            for _word, m in group:
                correction = found.get(m.group().lower())
                if correction is not None:
                    if m.group()[:1].isupper():
                        correction = correction[:1].upper() + correction[1:]
                    changes.append((m.start(), m.end(), correction))
            word.final = _replaced(word.spelt, changes)

    def _known_compound(self, word: str) -> bool:
        """A hyphenated word Morfeusz or the index knows whole ("publiczno-prywatne").

        Its parts ("publiczno") are no words of their own, and must not be corrected.
        """
        if "-" not in word or not self.context.budget.spend_lookups(2):
            return False
        lower = word.lower()
        return is_dictionary_word(lower) or in_text_fields(self.context, lower)

    def typed_as(self, attribute: str) -> str:
        """The typed query with every word spelt as ``attribute`` ("spelt", "final") has it."""
        return _replaced(
            self.text,
            (
                (w.node.startchar + w.start, w.node.startchar + w.end, getattr(w, attribute))
                for w in self.words
            ),
        )


def _is_question_mark(node: syntax.SyntaxNode) -> bool:
    return isinstance(node, plugins.WildcardPlugin.WildcardNode) and node.text == "?"


def _ends_word(before: syntax.SyntaxNode, mark: syntax.SyntaxNode) -> bool:
    """Whether ``before``, right before ``mark``, is a phrase or a word ending in \\w."""
    if before.endchar != mark.startchar:
        return False
    if isinstance(before, plugins.PhrasePlugin.PhraseNode):
        return True
    return isinstance(before, syntax.WordNode) and bool(re.search(r"\w$", before.text))


def _starts_word(mark: syntax.SyntaxNode, after: syntax.SyntaxNode | None) -> bool:
    """Whether ``after`` continues the word right after ``mark`` (then "?" is a wildcard)."""
    return (
        after is not None
        and after.startchar == mark.endchar
        and getattr(after, "has_text", False)
        and bool(re.match(r"\w", after.text))
    )


def _replaced(text: str, changes) -> str:
    """``text`` with each (start, end, new) span, in order and not overlapping, replaced."""
    parts: list[str] = []
    last = 0
    for start, end, new in changes:
        parts.append(text[last:start] + new)
        last = end
    return "".join(parts) + text[last:]


def has_syntax_error(query: Query) -> bool:
    """Whether the parser marked any node of ``query`` (unnormalized) with an ``error``."""
    if getattr(query, "error", None) is not None:
        return True
    return any(has_syntax_error(child) for child in query.children())


def parser_for(context: QueryContext, match: str = "auto", plain: bool = False) -> MultifieldParser:
    """A parser over the text fields, with Whoosh syntax unless ``plain``.

    Words are AND-ed (the matching strategy then decides which are required),
    or OR-ed for ``match="any"``.
    """
    group = OR_GROUP if match == "any" else AndGroup
    parser = MultifieldParser(list(TEXT_FIELDS), context.searcher.schema, group=group)
    parser.replace_plugin(OPERATORS)
    parser.add_plugin(SignPlugin())
    parser.add_plugin(plugins.FieldAliasPlugin(FIELD_ALIASES))
    if plain:
        for plugin in (*SYNTAX_PLUGINS, SignPlugin):
            parser.remove_plugin_class(plugin)
    return parser


def understand(
    context: QueryContext,
    text: str,
    respell: bool = True,
    match: str = "auto",
    correct: bool = True,
) -> Understood:
    """Parse ``text`` with Whoosh syntax (phrases, AND/OR/NOT, signs); else as plain words.

    With ``respell``, words typed without Polish letters are respelt and misspelt
    ones corrected: the corrected query is the suggestion, and it is what is
    searched unless ``correct`` is False. Each word is searched with its variants
    (:mod:`~search_app.engine.variants`). The query is returned unnormalized, for
    the matching strategy; notes go to the context.
    """
    parser = parser_for(context, match)
    plugin = UnderstandingPlugin(context, text, respell, correct)
    parser.add_plugin(plugin)
    try:
        query = parser.process(text).query(parser) or NullQuery
    except Exception:  # noqa: BLE001 - any parser failure falls back to plain words
        query = None
    suggestion = None
    if plugin.done and plugin.typed_as("final") != plugin.typed_as("spelt"):
        suggestion = plugin.typed_as("final")
    if query is None or has_syntax_error(query):
        context.messages.append(NOTE_SYNTAX)
        context.plain = True
        searched = plugin.typed_as("final" if correct else "spelt") if plugin.done else text
        parser = parser_for(context, match, plain=True)
        parser.add_plugin(UnderstandingPlugin(context, searched, respell=False))
        query = parser.process(searched).query(parser) or NullQuery
    return Understood(query, suggestion, corrected=correct and suggestion is not None)
