"""Publishing a build to a remote SPARQL store (BORDER21_BACKEND=sparql).

The build runs as usual into a local scratch generation; then each graph it wrote is
uploaded to the remote under a staging name, and one update request moves every staged graph
into place and drops the curated graphs this build no longer has. Graphs written through
the service are never touched. Until that last request the remote serves the previous build;
how atomic the request itself is depends on the remote (Virtuoso runs one request in one
transaction). Staging graphs left by a build that was killed are dropped by the next one.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from rdflib import URIRef

from service.build.pipeline import Progress, build, log_progress
from service.build.reasoning import DEFAULT_JAVA_MEMORY
from service.store import OpenStore, StoreHome
from service.store.base import NTRIPLES, GraphStore, built_graphs
from service.store.remote import RemoteStore, sparql_term

logger = logging.getLogger(__name__)

STAGING = "urn:border21:staging:"


def publish_to_remote(
    remote: RemoteStore,
    ontology_dir: Path,
    data_dir: Path,
    *,
    java: str | None = None,
    java_memory: int = DEFAULT_JAVA_MEMORY,
    progress: Progress = log_progress,
) -> int:
    """Build, then make the remote's curated graphs those of the build. Returns the quads sent."""
    with tempfile.TemporaryDirectory(prefix="border21-build-") as scratch:
        home = StoreHome(Path(scratch) / "store")
        build(home, ontology_dir, data_dir, java=java, java_memory=java_memory, progress=progress)
        with OpenStore(home, read_only=True) as local:
            return upload_build(remote, local, progress)


def upload_build(remote: RemoteStore, local: GraphStore, progress: Progress = log_progress) -> int:
    """Make the remote's curated graphs those of the built store `local`."""
    for leftover in (g for g in remote.named_graphs() if str(g).startswith(STAGING)):
        remote.drop_graph(leftover)
    previous = built_graphs(remote)
    graphs = sorted(built_graphs(local))
    sent = 0
    moves = []
    for graph in graphs:
        staging = URIRef(f"{STAGING}{graph}")
        sent += remote.replace_graph(staging, local.graph_bytes(graph, NTRIPLES), NTRIPLES)
        moves.append(f"MOVE SILENT GRAPH {sparql_term(staging)} TO GRAPH {sparql_term(graph)}")
        progress("publish", f"staged {graph}")
    drops = [f"DROP SILENT GRAPH {sparql_term(stale)}" for stale in sorted(previous - set(graphs))]
    remote.update(" ;\n".join(moves + drops))
    progress("publish", f"{len(graphs)} graphs published to the remote store, {len(drops)} dropped")
    return sent
