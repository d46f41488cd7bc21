"""Benchmarks of BDP Search: synthetic collections, build, query, HTTP and a tantivy peer.

Run everything with ``python -m bench`` (see docs/benchmarks.md).
"""
