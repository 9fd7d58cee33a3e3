"""The vocabulary every layer shares: dataset kinds, value parsers, UN entities, formatting, errors.

Nothing here imports another package of the project (tests/test_architecture.py).
"""
