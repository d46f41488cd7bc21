"""Function words of Polish queries: words that shape a question but name no topic.

The index drops stopwords ("w", "dla", "jak"), but people's questions carry more
words that say nothing about what is sought: question words ("jaki", "ile"),
modal verbs ("móc", "musieć", "chcieć"), possessives ("mój", "nasz") and the
verbs of asking itself ("szukać", "znaleźć"). A result need not contain them:
the matching strategy (``search_app.engine.matching``) requires only the
content words, and lets these add to the score where they occur.
"""

from __future__ import annotations

from collections.abc import Iterable

# Lemmas as Morfeusz gives them (not folded: "móc" folded is "moc", power, a topic).
# Words typed without diacritics reach these once query understanding has respelt
# them. Words of the stopword list need not be repeated: the analyzer never yields them.
FUNCTION_LEMMAS = frozenset(
    (
        # question words
        "jak jaki jakiś który kto co gdzie kiedy dlaczego czemu ile czy skąd dokąd "
        "dokąd którędy jakże czyj "
        # modal and auxiliary verbs, and impersonal modals
        "móc musieć chcieć woleć mieć powinien można trzeba należy należeć da dać "
        "zamierzać potrzebować umieć wolno warto "
        # possessives and personal pronouns
        "mój twój nasz wasz swój jego jej ich ja ty my wy on ona ono oni one się "
        # the verbs and nouns of asking itself
        "szukać poszukiwać znaleźć znajdować wyszukać pokazać sposób przykład "
        # what every result is anyway: a practice ("praktyki z Łodzi", "dobre praktyki")
        "praktyka "
        # light verbs of questions ("jak zostać rodziną zastępczą", "co zrobić, żeby …")
        "zostać zostawać robić zrobić "
        "proszę prosić "
        # quantifiers and vague adverbs that restrict nothing
        "jakiś każdy wszystek dużo mało bardzo bardziej najbardziej"
    ).split()
)


def is_function_word(typed: str, lemmas: Iterable[str]) -> bool:
    """Whether a query word is a function word: its typed form or every lemma is one.

    >>> is_function_word("Jakie", ["jaki"])
    True
    >>> is_function_word("mogę", ["móc"])
    True
    >>> is_function_word("seniorów", ["senior"])
    False
    """
    if typed.lower() in FUNCTION_LEMMAS:
        return True
    found = list(lemmas)
    return bool(found) and all(lemma in FUNCTION_LEMMAS for lemma in found)
