"""The data tests use the curated-dataset fixtures of tests/conftest.py (built_curated_store, curated_store)."""
