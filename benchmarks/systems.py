"""The three systems under test, each started on loopback ports in a scratch directory:

- `Border21`: `border21 build` (timed, with its peak memory), then `border21 serve` (uvicorn);
- `Virtuoso`: Virtuoso 7 (`virtuoso-t`), bulk-loaded with `ld_dir` and `rdf_loader_run` through
  `isql-vt`, one loader per core, then a checkpoint;
- `RdflibEndpoint`: rdflib-endpoint serving an in-memory rdflib `Dataset` (`benchmarks.rdflib_server`).

Each is a `Server`: `query_url` (SPARQL protocol), `memory` (the peak resident size of its
process tree) and `stop()`.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from benchmarks.processes import PeakMemory, free_port, stop, wait_for_http
from service.store.home import StoreHome

BIN = Path(sys.executable).parent
BORDER21 = str(BIN / "border21")


class Server:
    """A system's server process, its memory sampled from its start, and its log."""

    name = ""
    query_url = ""
    grace = 30.0  # seconds `stop()` waits for the process to end before killing it

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.memory: PeakMemory | None = None
        self.earlier_peak = 0  # the peak of processes of this system stopped before this one
        self._log: IO[bytes] | None = None

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, grace=self.grace)
        if self._log is not None:
            self._log.close()


@dataclass
class BuildResult:
    seconds: float
    peak_rss: int
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds from the start when it began
    total_triples: int = 0
    log_tail: str = ""
    ok: bool = True
    reused: str = ""  # the generation an earlier run built, served again (seconds: from its log)


class Border21(Server):
    name = "border21"

    def __init__(self, workdir: Path, *, env: dict[str, str] | None = None) -> None:
        self.workdir = workdir
        self.store = workdir / "store"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.query_url = f"{self.base_url}/sparql"
        self.env = {
            **os.environ,
            "BORDER21_STORE": str(self.store),
            "BORDER21_RATE_LIMIT": "0",
            "BORDER21_TOKENS": "",
            **(env or {}),
        }
        super().__init__()

    def build(self, data: Path, ontology: Path, timeout: float) -> BuildResult:
        """Run `border21 build` on `data` as a user would; time it and sample its memory."""
        if self.store.exists():
            shutil.rmtree(self.store)
        log_path = self.workdir / "build.log"
        started = time.monotonic()
        phases: dict[str, float] = {}
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [BORDER21, "build", "--data", str(data), "--ontology", str(ontology), "--store", str(self.store)],
                stdout=log,
                stderr=subprocess.PIPE,
                env=self.env,
            )
            memory = PeakMemory(process.pid)
            assert process.stderr is not None
            deadline = started + timeout
            for raw in process.stderr:  # "[phase] detail" lines, as they come
                log.write(raw)
                match = re.match(rb"\[(\w+)\]", raw)
                if match:
                    phases.setdefault(match.group(1).decode(), round(time.monotonic() - started, 2))
                if time.monotonic() > deadline:
                    process.kill()
                    break
            code = process.wait()
            seconds = time.monotonic() - started
            peak = memory.stop()
        tail = log_path.read_text(errors="replace")[-2000:]
        total = re.search(r"\[done\] (\d+) triples", tail)
        return BuildResult(
            seconds=round(seconds, 2),
            peak_rss=peak,
            phases=phases,
            total_triples=int(total.group(1)) if total else 0,
            log_tail=tail if code != 0 else "",
            ok=code == 0,
        )

    def reuse(self) -> BuildResult:
        """The store an earlier run built in the work directory, as its build log tells it."""
        generation = StoreHome(self.store).current()
        log_path = self.workdir / "build.log"
        if generation is None or not log_path.is_file():
            raise RuntimeError(f"{self.workdir} holds no finished build to serve again")
        done = re.search(
            r"\[done\] (\d+) triples .*, generation (\S+), ([\d.]+) s", log_path.read_text(errors="replace")
        )
        if done is None or done.group(2) != generation.name:
            raise RuntimeError(f"{self.workdir} holds no finished build to serve again")
        return BuildResult(
            seconds=float(done.group(3)), peak_rss=0, total_triples=int(done.group(1)), reused=generation.name
        )

    def export(self, target: Path) -> None:
        """The built store as N-Quads, for the peers."""
        subprocess.run(
            [BORDER21, "export", "--format", "nq", "--output", str(target), "--store", str(self.store)],
            env=self.env,
            check=True,
        )

    def start(self, timeout: float = 600.0) -> None:
        self._log = (self.workdir / "serve.log").open("wb")
        self.process = subprocess.Popen(
            [BORDER21, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--store", str(self.store)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=self.env,
        )
        self.memory = PeakMemory(self.process.pid)
        # Ready and warm: the workload measures a started server, not its start, and a question
        # asked during the start-up warm-up (labels, actor list, link and search indexes) would
        # compete with it for the CPU.
        wait_for_http(f"{self.base_url}/readyz?warm=true", self.process, timeout, lambda r: r.status_code == 200)


VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 20000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 20000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{sql_port}
LiteMode                 = 0
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 32
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
CheckpointAuditTrail     = 0
AllowOSCalls             = 0
SchedulerInterval        = 10
DirsAllowed              = ., {dir}, {data}
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
PrefixResultNames        = 0
RdfFreeTextRulesSize     = 100
IndexTreeMaps            = 64
MaxQueryMem              = 2G
VectorSize               = 1000
MaxVectorSize            = 1000000
AdjustVectorSize         = 0
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 10
; The settings Virtuoso's documentation gives for a machine with 2 GB to spare.
NumberOfBuffers          = 170000
MaxDirtyBuffers          = 130000

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {dir}/vsp
MaxClientConnections        = 32
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 32
MaxKeepAlives               = 32
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
ResultSetMaxRows           = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = {timeout}
DeferInferenceRulesInit    = 0
"""


class Virtuoso(Server):
    name = "virtuoso"
    grace = 60.0  # a checkpoint on the way out can take a while

    def __init__(self, workdir: Path, data: Path, *, query_timeout: int) -> None:
        for program in ("virtuoso-t", "isql-vt"):
            if shutil.which(program) is None:
                raise RuntimeError(f"{program} is not installed (Debian: apt-get install virtuoso-opensource-7-bin)")
        self.directory = workdir / "virtuoso"
        self.data = data
        self.sql_port = free_port()
        self.http_port = free_port()
        self.query_url = f"http://127.0.0.1:{self.http_port}/sparql"
        self.query_timeout = query_timeout
        self.password = "dba"
        super().__init__()

    def start(self, timeout: float = 300.0) -> None:
        if self.directory.exists():
            shutil.rmtree(self.directory)
        (self.directory / "vsp").mkdir(parents=True)
        ini = self.directory / "virtuoso.ini"
        ini.write_text(
            VIRTUOSO_INI.format(
                dir=self.directory,
                data=self.data,
                sql_port=self.sql_port,
                http_port=self.http_port,
                timeout=self.query_timeout,
            )
        )
        self.process = subprocess.Popen(
            ["virtuoso-t", "-f", "+configfile", str(ini)],
            cwd=self.directory,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.memory = PeakMemory(self.process.pid)
        wait_for_http(f"{self.query_url}?query=ASK%7B%7D", self.process, timeout, lambda r: r.status_code == 200)
        # Only loopback listens, but a fresh database has the well-known dba/dba login.
        password = "pw" + secrets.token_hex(12)
        self.isql(f"SET PASSWORD dba {password};")
        self.password = password

    def isql(self, *statements: str, timeout: float = 3600.0) -> str:
        result = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", self.password, "VERBOSE=OFF", "ERRORS=STDOUT"],
            input=("\n".join(statements) + "\n").encode(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        output = result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")
        if result.returncode != 0 or "*** Error" in output:
            raise RuntimeError(f"isql-vt failed ({result.returncode}):\n{output[-3000:]}")
        return output

    def bulk_load(self, directory: Path, pattern: str, loaders: int) -> float:
        """`ld_dir` then `rdf_loader_run()` in `loaders` parallel sessions, then a checkpoint."""
        started = time.monotonic()
        self.isql(f"ld_dir('{directory}', '{pattern}', 'urn:x-border21-bench:unnamed');")
        runs = [
            subprocess.Popen(
                ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", self.password, "VERBOSE=OFF", "ERRORS=STDOUT"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for _ in range(loaders)
        ]
        for run in runs:  # every loader started before any is waited for: they run in parallel
            assert run.stdin is not None
            run.stdin.write(b"rdf_loader_run();\n")
            run.stdin.close()
        outputs = []
        for run in runs:
            assert run.stdout is not None
            outputs.append(run.stdout.read().decode(errors="replace"))
            run.wait()
        failed = [o for o in outputs if "*** Error" in o]
        if failed:
            raise RuntimeError(f"rdf_loader_run failed:\n{failed[0][-3000:]}")
        self.isql("checkpoint;")
        counted = self.isql("SELECT COUNT(*) FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;")
        numbers = re.findall(r"^\s*(\d+)\s*$", counted, re.MULTILINE)
        if not numbers or int(numbers[-1]) != 0:
            detail = self.isql("SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;")
            raise RuntimeError(f"Virtuoso could not load some files:\n{detail[-3000:]}")
        return time.monotonic() - started


class RdflibEndpoint(Server):
    name = "rdflib-endpoint"

    def __init__(self, workdir: Path, dataset: Path) -> None:
        self.workdir = workdir
        self.dataset = dataset
        self.port = free_port()
        self.query_url = f"http://127.0.0.1:{self.port}/sparql"
        super().__init__()
        self.load_seconds = 0.0
        self.quads = 0
        self.restarts = 0

    def start(self, timeout: float) -> None:
        log_path = self.workdir / "rdflib-endpoint.log"
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.rdflib_server", str(self.dataset), "--port", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[1],
        )
        self.memory = PeakMemory(self.process.pid)
        wait_for_http(
            f"{self.query_url}?query=ASK%7B%7D",
            self.process,
            timeout,
            lambda r: r.status_code == 200,
        )
        loaded = re.search(r"loaded (\d+) quads in ([\d.]+) s", log_path.read_text(errors="replace"))
        if loaded and not self.restarts:
            self.quads, self.load_seconds = int(loaded.group(1)), float(loaded.group(2))

    def restart(self, timeout: float) -> None:
        """rdflib cannot stop a query: after a client gave up on one, the server would go on
        computing it and make every later request wait, so it is restarted (and reloaded)."""
        if self.memory is not None:
            self.earlier_peak = max(self.earlier_peak, self.memory.stop())
        self.stop()
        self.restarts += 1
        self.start(timeout)
