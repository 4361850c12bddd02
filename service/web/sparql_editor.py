"""The SPARQL editor a browser gets at /sparql: YASGUI, with the named queries as examples."""

from __future__ import annotations

import html
import json

from fastapi import Request
from fastapi.responses import HTMLResponse

from service.queries import load_named_queries
from service.web.assets import vendor_dir

DEFAULT_QUERY = """SELECT ?instrument ?label ?inForce WHERE {
  ?instrument a b21:LegalInstrument ; rdfs:label ?label .
  OPTIONAL { ?instrument b21:dateEntryIntoForce ?inForce }
}
ORDER BY ?inForce
LIMIT 50"""


def example_queries() -> list[dict[str, str]]:
    """The named queries of queries/, with their parameters' defaults filled in and PREFIX
    lines for the editor's syntax check (the endpoint predeclares them anyway)."""
    return [
        {"name": q.name, "summary": q.summary, "query": _all_prefix_lines() + q.with_defaults()}
        for q in load_named_queries()
    ]


def _all_prefix_lines() -> str:
    from service.namespaces import PREFIXES

    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


def _prefix_lines() -> str:
    from service.namespaces import PREFIXES

    return "".join(
        f"PREFIX {name}: <{iri}>\n"
        for name, iri in PREFIXES.items()
        if name in ("b21", "rdfs", "skos", "eli", "org", "dcterms")
    )


def editor_page(request: Request) -> HTMLResponse:
    endpoint = str(request.url_for("sparql_get"))
    examples = example_queries()
    if vendor_dir("yasgui") is None:
        return HTMLResponse(_fallback_page(endpoint, examples))
    config = {
        "endpoint": endpoint,
        "defaultQuery": _prefix_lines() + "\n" + DEFAULT_QUERY,
        "examples": examples,
    }
    return HTMLResponse(PAGE.replace("__CONFIG__", json.dumps(config).replace("</", "<\\/")))


def _fallback_page(endpoint: str, examples: list[dict[str, str]]) -> str:
    options = "".join(f"<li><pre>{html.escape(e['query'])}</pre></li>" for e in examples)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>border21 SPARQL</title></head>
<body><h1>border21 SPARQL endpoint</h1>
<p>The interactive editor's files are not installed (run <code>npm ci</code> in the project). A plain form:</p>
<form method="get" action="{html.escape(endpoint)}">
<textarea name="query" rows="12" cols="100">{html.escape(_prefix_lines() + DEFAULT_QUERY)}</textarea>
<p><label>format <select name="format"><option>json</option><option>xml</option><option>csv</option>
<option>tsv</option><option>turtle</option></select></label> <button type="submit">Run</button></p></form>
<h2>Named queries</h2><ul>{options}</ul></body></html>"""


PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>border21 SPARQL editor</title>
  <link rel="icon" href="/favicon.ico" type="image/svg+xml">
  <link rel="stylesheet" href="/static/vendor/yasgui/yasgui.min.css">
  <style>
    body { font-family: system-ui, sans-serif; margin: 0 1rem; }
    header { display: flex; gap: 1.5rem; align-items: baseline; }
    #examples { margin: .5rem 0; }
    #examples button { margin: 0 .3rem .3rem 0; }
  </style>
</head>
<body>
  <header>
    <h1>border21 SPARQL</h1>
    <nav><a href="/docs">API documentation</a></nav>
  </header>
  <p>The default graph is the union of all named graphs; <code>GRAPH ?g</code> reaches each
  source file's graph, <code>graph/inferred</code> and <code>graph/provenance</code>.</p>
  <div id="examples" aria-label="Named queries"></div>
  <div id="yasgui"></div>
  <script src="/static/vendor/yasgui/yasgui.min.js"></script>
  <script>
    const config = __CONFIG__;
    const yasgui = new Yasgui(document.getElementById("yasgui"), {
      requestConfig: { endpoint: config.endpoint, method: "POST" },
      copyEndpointOnNewTab: false,
      persistenceId: null,
    });
    const tab = yasgui.getTab();
    if (!tab.getQuery().trim()) { tab.setQuery(config.defaultQuery); }
    const examples = document.getElementById("examples");
    for (const example of config.examples) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = example.summary;
      button.title = example.name;
      button.addEventListener("click", () => yasgui.getTab().setQuery(example.query));
      examples.appendChild(button);
    }
  </script>
</body>
</html>
"""
