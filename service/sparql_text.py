"""Reading SPARQL text without parsing it: where its strings, IRIs and comments are, so that
keywords and braces are found only in the query itself."""

from __future__ import annotations

import re

_TOKENS = re.compile(
    "|".join(
        (
            r'"""(?:[^"\\]|\\.|"(?!""))*"""',  # long strings
            r"'''(?:[^'\\]|\\.|'(?!''))*'''",
            r'"(?:[^"\\\n]|\\.)*"',  # short strings
            r"'(?:[^'\\\n]|\\.)*'",
            r'<[^<>"{}|^`\\\x00-\x20]*>',  # IRIs
            r"\#[^\n]*",  # comments
            r"(?<![\w:?$])(?P<from>FROM)(?![\w:])",
            r"(?P<brace>\{)",
        )
    ),
    re.IGNORECASE,
)


def has_dataset_clause(query: str) -> bool:
    """Whether the query names its own dataset (FROM / FROM NAMED)."""
    return any(match.group("from") for match in _TOKENS.finditer(query))


def first_group_brace(query: str) -> int | None:
    """The offset of the brace that opens the query's WHERE group, if there is one."""
    for match in _TOKENS.finditer(query):
        if match.group("brace"):
            return match.start()
    return None
