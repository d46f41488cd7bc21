"""Reading practice sources and building the search index."""
