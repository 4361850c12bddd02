"""Settings, read from `BORDER21_*` environment variables and validated at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BORDER21_", extra="ignore")

    store: Path = Field(
        Path(".border21/store"),
        description="Directory of the embedded store (its built generations and the pointer to the current one).",
    )
    backend: Literal["oxigraph", "sparql"] = "oxigraph"
    query_url: str | None = Field(None, description="SPARQL query endpoint of a remote store (backend=sparql).")
    update_url: str | None = Field(None, description="SPARQL update endpoint of a remote store (backend=sparql).")
    remote_user: str | None = None
    remote_password: SecretStr | None = None
    remote_auth: Literal["basic", "digest"] = Field("basic", description="HTTP authentication for the remote store.")
    remote_default_graph: str | None = Field(
        None, description="Graph IRI standing for the default graph on a remote store that has none (Virtuoso)."
    )
    remote_hidden_graphs: list[str] = Field(
        default_factory=list,
        description="The remote store's own graphs (Virtuoso's system graphs): never listed, counted or written.",
    )
    tokens: SecretStr = Field(
        SecretStr(""),
        description="Write tokens as comma-separated name:secret pairs; empty means the service is read-only.",
    )
    query_timeout: float = Field(
        30.0,
        gt=0,
        description="Seconds a query, and all the queries of one request together, may run before they are stopped.",
    )
    index_timeout: float = Field(
        900.0,
        gt=0,
        description="Seconds each query of the service's own whole-store reads (labels, actor and channel lists, "
        "the link and search indexes) may run. They run in the background once per store version (minutes at "
        "ten million triples); a request that needs one still being read waits at most query_timeout, then gets "
        "503 with Retry-After.",
    )
    max_results: int = Field(100_000, gt=0, description="Most rows or triples a query may return.")
    scenarios_kept: int = Field(
        10_000,
        ge=1,
        description="Most saved scenarios kept; beyond that the least recently saved or asked for is removed "
        "(posting it again brings it back under the same id).",
    )
    query_workers: int = Field(2, ge=1, le=64, description="Worker processes that run queries (each can be stopped).")
    response_cache_mb: int = Field(
        256,
        ge=0,
        description="Memory for REST answers kept per store version and URL (re-sent until the store changes); 0: off.",
    )
    warm_up: bool = Field(
        True,
        description="Read the actor and channel lists, labels and search index in the background at start-up, "
        "so the first planner request does not wait for them.",
    )
    warm_up_settle: float = Field(
        5.0,
        ge=0,
        description="After the start-up warm-up, fill the same caches again whenever the store has changed (a new "
        "build adopted, a write) and then kept still this many seconds; 0: at start-up only.",
    )
    rederive_max_quads: int = Field(
        5_000_000,
        ge=0,
        description="On a writable embedded store, derive cooperation again over the written graphs too (in "
        "memory, in the warm-up's background pass, at start-up and after each settled change) while the store "
        "holds at most this many quads; 0: never (derived cooperation then comes from the build alone).",
    )
    max_body_bytes: int = Field(50_000_000, gt=0, description="Largest request body accepted, in bytes.")
    rate_limit: int = Field(
        0, ge=0, description="Requests per minute each client may send to /sparql (429 beyond); 0: no limit."
    )
    rate_limit_burst: int = Field(
        0, ge=0, description="Requests a client may send to /sparql in a burst; 0: as many as rate_limit."
    )
    audit_log: Path | None = Field(
        None, description="Append-only log of acknowledged writes, one JSON line each; default: <store>/audit.log."
    )
    cors_origins: str = Field("*", description="Origins allowed to read cross-origin, comma-separated; empty: none.")
    cors_write_origins: str = Field("", description="Origins also allowed to write cross-origin, comma-separated.")
    data_dir: Path | None = Field(None, description="Curated data directory; default: the bundled data/.")
    java: str | None = Field(None, description="Java executable for the HermiT reasoner; default: java on PATH.")
    java_memory: int = Field(
        2000, ge=256, description="Heap of the HermiT reasoner, in MB (ten million triples took 14000)."
    )
    log_level: str = "INFO"

    @field_validator("store", "audit_log", mode="after")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @model_validator(mode="after")
    def _remote_needs_url(self) -> Settings:
        if self.backend == "sparql" and not self.query_url:
            raise ValueError("BORDER21_BACKEND=sparql needs BORDER21_QUERY_URL")
        return self

    def write_tokens(self) -> dict[str, str]:
        """Named write tokens, parsed from `name:secret,name:secret`."""
        tokens: dict[str, str] = {}
        raw = self.tokens.get_secret_value().strip()
        if not raw:
            return tokens
        for position, pair in enumerate(raw.split(","), start=1):
            name, sep, secret = pair.strip().partition(":")
            if not sep or not name or len(secret) < 16:
                raise ValueError(
                    f"BORDER21_TOKENS entry {position} must be name:secret with a secret of at least 16 characters"
                )
            if name in tokens:
                raise ValueError(f"BORDER21_TOKENS names the token {name!r} twice")
            tokens[name] = secret
        return tokens

    def audit_log_path(self) -> Path:
        return self.audit_log or self.store / "audit.log"

    @property
    def writable(self) -> bool:
        return bool(self.tokens.get_secret_value().strip())
