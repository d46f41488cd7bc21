"""Polish text analysis for BDP Search."""

from analyzers.polish import polish_analyzer, stem_word

__all__ = ["polish_analyzer", "stem_word"]
