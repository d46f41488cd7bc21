"""Polish text analysis for BDP Search."""

from analyzers.configs import ANALYZERS, DEFAULT_ANALYZER, analyzer_config
from analyzers.folding import fold, folded_words
from analyzers.polish import polish_analyzer, stem_word

__all__ = [
    "ANALYZERS",
    "DEFAULT_ANALYZER",
    "analyzer_config",
    "fold",
    "folded_words",
    "polish_analyzer",
    "stem_word",
]
