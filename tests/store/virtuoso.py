"""A real Virtuoso Open Source server for the remote-store tests.

`running_virtuoso(directory)` writes a minimal `virtuoso.ini` into a scratch directory (the
database, its log and transaction files live there too), starts `virtuoso-t` in the
foreground on two free loopback ports (SQL and HTTP), waits until `/sparql` answers, lets the
anonymous SPARQL user update, and kills the server when the block ends. `virtuoso-t` and
`isql-vt` come from Debian's virtuoso-opensource-7-bin (which, unlike virtuoso-opensource,
starts no system service); `.ci/run` installs it.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from rdflib import URIRef

from service.store.remote import RemoteStore

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
# Virtuoso has no default graph of its own; this graph stands in for it in the tests.
VIRTUOSO_DEFAULT_GRAPH = URIRef("urn:x-border21-test:default-graph")
MISSING = (
    "Virtuoso is not installed: the remote-store tests need `virtuoso-t` and `isql-vt` from Debian's "
    "virtuoso-opensource-7-bin package, which .ci/run installs "
    "(DEBIAN_FRONTEND=noninteractive apt-get install -y virtuoso-opensource-7-bin)"
)

# The anonymous `/sparql` user runs as "SPARQL"; Virtuoso refuses its updates until it holds
# SPARQL_UPDATE and the default graph permissions allow writing (7 = read + write + list).
GRANT_UPDATES = (
    'GRANT SPARQL_UPDATE TO "SPARQL";',
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);",
)

INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{sql_port}
LiteMode                 = 0
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
CheckpointAuditTrail     = 0
AllowOSCalls             = 0
SchedulerInterval        = 10
DirsAllowed              = ., {dir}
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
PrefixResultNames        = 0
RdfFreeTextRulesSize     = 100
IndexTreeMaps            = 64
MaxQueryMem              = 256M
VectorSize               = 1000
MaxVectorSize            = 1000000
AdjustVectorSize         = 0
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 4
NumberOfBuffers          = 4000
MaxDirtyBuffers          = 3000

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {dir}/vsp
MaxClientConnections        = 10
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
MaxCachedProxyConnections   = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 60
DeferInferenceRulesInit    = 0
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Virtuoso:
    """One Virtuoso process on a scratch database in `directory`."""

    def __init__(self, directory: Path, *, max_rows: int = 1_000_000) -> None:
        for program in (VIRTUOSO, ISQL):
            if shutil.which(program) is None:
                raise RuntimeError(MISSING)
        self.directory = directory
        self.sql_port = free_port()
        self.http_port = free_port()
        self.sparql_url = f"http://127.0.0.1:{self.http_port}/sparql"
        self.password = "dba"
        self.max_rows = max_rows
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> str:
        path = self.directory / "virtuoso.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def start(self, timeout: float = 180.0) -> None:
        (self.directory / "vsp").mkdir(parents=True, exist_ok=True)
        ini = self.directory / "virtuoso.ini"
        ini.write_text(
            INI.format(dir=self.directory, sql_port=self.sql_port, http_port=self.http_port, max_rows=self.max_rows)
        )
        self.process = subprocess.Popen(
            [VIRTUOSO, "-f", "+configfile", str(ini)],
            cwd=self.directory,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_for_sparql(timeout)
        # A fresh database has the well-known dba/dba login; the server listens on loopback
        # only, and changing it still keeps other local users out for the test run.
        password = "pw" + secrets.token_hex(12)
        self.isql(f"SET PASSWORD dba {password};")
        self.password = password
        self.isql(*GRANT_UPDATES)

    def _wait_for_sparql(self, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with status {self.process.returncode}:\n{self.log}")
            try:
                response = httpx.get(self.sparql_url, params={"query": "ASK { }"}, timeout=2.0)
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        raise TimeoutError(f"Virtuoso's /sparql did not answer within {timeout} s:\n{self.log}")

    def isql(self, *statements: str) -> str:
        """Run SQL statements as dba through `isql-vt`; raise with its output when one fails."""
        script = "\n".join(statements) + "\n"
        result = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", self.password, "VERBOSE=OFF", "ERRORS=STDOUT"],
            input=script.encode(),
            capture_output=True,
            timeout=60,
            check=False,
        )
        output = result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")
        if result.returncode != 0 or "*** Error" in output:
            raise RuntimeError(f"isql-vt failed ({result.returncode}):\n{output}")
        return output

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@contextmanager
def running_virtuoso(directory: Path, *, max_rows: int = 1_000_000) -> Iterator[Virtuoso]:
    server = Virtuoso(directory, max_rows=max_rows)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def remote_store(virtuoso: Virtuoso, system_graphs: frozenset[str], **options: object) -> RemoteStore:
    return RemoteStore(
        virtuoso.sparql_url,
        virtuoso.sparql_url,
        default_graph=VIRTUOSO_DEFAULT_GRAPH,
        hidden_graphs=system_graphs,
        **options,  # type: ignore[arg-type]
    )


def empty_remote(store: RemoteStore) -> None:
    """Drop every graph the tests wrote (all but Virtuoso's own)."""
    for graph in store.named_graphs():
        store.drop_graph(graph)
    store.drop_graph(None)
