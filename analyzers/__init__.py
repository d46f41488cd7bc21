"""Polish text analysis for BDP Search."""

from analyzers.configs import ANALYZERS, DEFAULT_ANALYZER, analyzer_config
from analyzers.folding import RESTORE, fold, folded_words, spelling_count, spellings
from analyzers.polish import polish_analyzer, stem_word

__all__ = [
    "ANALYZERS",
    "RESTORE",
    "DEFAULT_ANALYZER",
    "analyzer_config",
    "fold",
    "folded_words",
    "polish_analyzer",
    "spelling_count",
    "spellings",
    "stem_word",
]
