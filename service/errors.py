"""The one error hierarchy of the service; `service.api.errors` maps it to HTTP."""

from __future__ import annotations


class Border21Error(Exception):
    """Base of every error the service raises on purpose. Its text is safe to show a user."""


class NotFound(Border21Error):
    pass


class InvalidQuery(Border21Error):
    pass


class QueryTimeout(Border21Error):
    pass


class ResultTooLarge(Border21Error):
    """A query's result exceeds the configured maximum; it is refused, never truncated."""


class ReadOnly(Border21Error):
    """A write was asked of a store or service that does not accept writes."""


class NotAcceptable(Border21Error):
    """No representation the client accepts can be produced for this result."""


class UnsupportedMediaType(Border21Error):
    pass


class StoreUnavailable(Border21Error):
    pass


class StillReading(StoreUnavailable):
    """An index the answer needs is still being read for the store's current version; the
    client should ask again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ValidationFailed(Border21Error):
    """The sources break the ontology's contract; `problems` lists each one."""

    def __init__(self, summary: str, problems: list[str]) -> None:
        super().__init__(summary)
        self.problems = problems

    def __reduce__(self) -> tuple[type[ValidationFailed], tuple[str, list[str]]]:
        return (type(self), (str(self), self.problems))


class BuildError(Border21Error):
    pass
