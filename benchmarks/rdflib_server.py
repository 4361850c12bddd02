"""rdflib-endpoint, the usual Python SPARQL server, on an N-Quads file: the file is parsed into
an in-memory rdflib `Dataset` whose default graph is the union of its graphs (as this service
queries), then served with `SparqlEndpoint` under uvicorn on loopback.

    python -m benchmarks.rdflib_server dataset.nq --port 8001

Prints `loaded N quads in T s` once the data is in memory, before the server listens.
"""

from __future__ import annotations

import argparse
import time

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("dataset", help="an N-Quads file")
    arguments.add_argument("--port", type=int, required=True)
    options = arguments.parse_args()
    started = time.monotonic()
    dataset = Dataset(default_union=True)
    dataset.parse(options.dataset, format="nquads")
    quads = sum(1 for _ in dataset.quads((None, None, None, None)))
    print(f"loaded {quads} quads in {time.monotonic() - started:.2f} s", flush=True)
    app = SparqlEndpoint(graph=dataset, path="/sparql", title="rdflib-endpoint (benchmark peer)", cors_enabled=False)
    uvicorn.run(app, host="127.0.0.1", port=options.port, log_level="warning")


if __name__ == "__main__":
    main()
