"""The pure search engine: a request goes in, a response dataclass comes out.

Nothing here imports Flask or Werkzeug (``tests/test_architecture.py`` checks
it): the CLI, the benchmarks and the evaluation use the engine alone, and the
web layer (:mod:`search_app.web`) calls it.
"""
