"""The reasoning tests use the invented-world fixtures of tests/conftest.py."""
