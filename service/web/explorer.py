"""The planners' pages: the network explorer at /, the matrix at /matrix and the data model at
/model.

The pages are shells: their controls are written here, with labels, so that they read in
order without script; `static/explorer.js` and `static/matrix.js` fill them from the REST
facade (/api/v1/network, /capabilities, /scenarios, ...) and keep the view in the query
string, so that a view is shared by sharing its URL. The graph is drawn by Cytoscape.js,
installed from the npm registry (`assets.VENDOR`); without it the explorer shows its table.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from service.web.assets import STATIC, vendor_dir
from service.web.templates import STYLESHEET, escape, site_header

router = APIRouter(tags=["web"])

EXPLORER_STYLESHEET = "/static/border21/explorer.css"
GRAPH_LIBRARY = "/static/vendor/cytoscape/cytoscape.esm.min.mjs"
FIRST_YEAR = 1990


def _document(title: str, current: str, body: str, *, script: str, main_class: str, data: str = "") -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · border21</title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<link rel="stylesheet" href="{STYLESHEET}">
<link rel="stylesheet" href="{EXPLORER_STYLESHEET}">
</head>
<body class="app">
<a class="skip" href="#main">Skip to the content</a>
{site_header(current)}
<main id="main" class="{main_class}"{data}>
{body}
</main>
{f'<script type="module" src="/static/border21/{script}"></script>' if script else ""}
</body>
</html>
"""


def _date_controls(this_year: int) -> str:
    return f"""<div class="date">
  <label for="year">Date: <output id="year-out" for="year at"></output></label>
  <input type="range" id="year" name="year" min="{FIRST_YEAR}" max="{this_year}" step="1" value="{this_year}"
         aria-describedby="year-help">
  <p id="year-help" class="help">Years from {FIRST_YEAR}; the arrow keys move a year, Home and End jump.</p>
  <label for="at" class="secondary">Exact date</label>
  <input type="date" id="at" name="at" min="{FIRST_YEAR}-01-01">
</div>"""


def explorer_body(this_year: int) -> str:
    return f"""<h1 class="visually-hidden">Network explorer</h1>
<aside class="controls" aria-label="Filters and search">
  <div class="search" role="search">
    <label for="search">Find an actor, instrument, channel or capability</label>
    <div class="combo">
      <input id="search" type="search" role="combobox" aria-autocomplete="list" aria-expanded="false"
             aria-controls="suggestions" autocomplete="off" spellcheck="false" placeholder="e.g. Germany, EAW, SIS">
      <ul id="suggestions" role="listbox" aria-label="Suggestions" hidden></ul>
    </div>
  </div>
  <form id="filters">
    <fieldset class="level">
      <legend>Show links between</legend>
      <label><input type="radio" name="level" value="state" checked> states</label>
      <label><input type="radio" name="level" value="agency"> agencies and organisations</label>
    </fieldset>
    <label for="capability">Crime area, function or data category</label>
    <select id="capability" name="capability"><option value="">any</option></select>
    <label for="channel">Channel</label>
    <select id="channel" name="channel"><option value="">any</option></select>
    <label for="instrument">Legal instrument</label>
    <select id="instrument" name="instrument"><option value="">any</option></select>
    <label for="actor">Only the links of</label>
    <select id="actor" name="actor"><option value="">any actor</option></select>
    {_date_controls(this_year)}
    <label for="layout">Layout</label>
    <select id="layout" name="layout">
      <option value="">chosen by size</option>
      <option value="circle">circle</option>
      <option value="clusters">clusters around the best-linked</option>
      <option value="concentric">rings by number of links</option>
      <option value="cose">force-directed</option>
      <option value="grid">grid</option>
    </select>
    <button type="button" id="clear">Clear filters</button>
  </form>
  <section class="legend" aria-labelledby="legend-heading">
    <h2 id="legend-heading">Legend</h2>
    <ul>
      <li><span class="swatch node state"></span> state</li>
      <li><span class="swatch node organisation"></span> organisation</li>
      <li><span class="swatch node agency"></span> agency</li>
      <li><span class="swatch edge instrument"></span> through legal instruments</li>
      <li><span class="swatch edge channel"></span> through channels</li>
      <li><span class="swatch edge both"></span> through both</li>
      <li><span class="swatch edge lost"></span> lost in the scenario</li>
      <li><span class="swatch edge fallback"></span> lost, with a fallback</li>
    </ul>
    <p class="help">A thicker line rests on more instruments and channels.</p>
  </section>
</aside>
<section class="view" aria-labelledby="status">
  <div class="view-bar">
    <p id="status" role="status" aria-live="polite">Loading the network…</p>
    <div class="tabs" role="tablist" aria-label="View">
      <button type="button" role="tab" id="tab-graph" aria-controls="graph-view" aria-selected="true">Graph</button>
      <button type="button" role="tab" id="tab-table" aria-controls="table-view" aria-selected="false"
              tabindex="-1">Table</button>
    </div>
    <div class="zoom" role="group" aria-label="Zoom">
      <button type="button" id="zoom-in" aria-label="Zoom in">+</button>
      <button type="button" id="zoom-out" aria-label="Zoom out">&minus;</button>
      <button type="button" id="zoom-fit">Fit</button>
    </div>
    <a id="permalink" href="/">Link to this view</a>
  </div>
  <div id="graph-view" role="tabpanel" aria-labelledby="tab-graph">
    <div id="graph" tabindex="0" role="region" aria-roledescription="network graph"
         aria-label="Network graph" aria-describedby="graph-help"></div>
    <p id="graph-cursor" class="visually-hidden" aria-live="polite"></p>
    <p id="graph-help" class="help">Click an actor or a link to read about it. With the graph focused: the
      arrow keys move between actors, Enter opens the one marked, + and &minus; zoom, 0 fits. The table view
      lists the same.</p>
  </div>
  <div id="table-view" role="tabpanel" aria-labelledby="tab-table" hidden>
    <table id="links-table">
      <caption>Links</caption>
      <thead><tr><th scope="col">Actor</th><th scope="col">Actor</th>
        <th scope="col">Through</th><th scope="col">Since</th><th scope="col">Scenario</th>
        <th scope="col"><span class="visually-hidden">Details</span></th></tr></thead>
      <tbody></tbody>
    </table>
    <table id="actors-table">
      <caption>Actors</caption>
      <thead><tr><th scope="col">Actor</th><th scope="col">Kind</th><th scope="col">Linked with</th></tr></thead>
      <tbody></tbody>
    </table>
  </div>
</section>
<aside id="panel" class="panel" aria-label="Details and scenario">
  <details id="scenario-box">
    <summary>What if… (scenario)</summary>
    <form id="scenario-form">
      <p class="help">End an actor's participations or channel accesses, run, and see what is lost and what
        each pair falls back on.</p>
      <label for="scenario-actor">Actor</label>
      <select id="scenario-actor"><option value="">choose an actor</option></select>
      <label for="scenario-record">Participation or access</label>
      <select id="scenario-record" disabled><option value="">choose an actor first</option></select>
      <fieldset class="scenario-kind">
        <legend>Change</legend>
        <label><input type="radio" name="scenario-kind" value="end" checked> ends on</label>
        <input type="date" id="scenario-date" aria-label="End date">
        <label><input type="radio" name="scenario-kind" value="remove"> never existed</label>
      </fieldset>
      <button type="button" id="scenario-add">Add the change</button>
      <h3 id="changes-heading">Changes</h3>
      <ul id="scenario-changes" aria-labelledby="changes-heading"><li class="empty">None yet.</li></ul>
      <button type="submit" id="scenario-run" disabled>Run the scenario</button>
      <button type="button" id="scenario-clear">Clear</button>
    </form>
    <div id="scenario-result" aria-live="polite"></div>
  </details>
  <div id="details" tabindex="-1">
    <h2>Details</h2>
    <p class="help">Click an actor or a link in the graph, or use the table view, to read why it is there:
      the instruments and channels, their dates and sources.</p>
  </div>
</aside>"""


def matrix_body(this_year: int) -> str:
    return f"""<h1>Who can cooperate with whom, for one function</h1>
<p class="lead">Each cell names the legal instrument or channel that applies between the row's state and the
  column's state for the function on the date, coloured by its kind; a cell is empty where there is none.
  Choose a cell for the instruments and channels behind it.</p>
<form id="matrix-form" class="matrix-controls">
  <div>
    <label for="function">Cooperation function</label>
    <select id="function" name="function"></select>
  </div>
  {_date_controls(this_year)}
  <div class="actions">
    <button type="button" id="export-csv">Export CSV</button>
    <button type="button" id="export-png">Export PNG</button>
    <a id="open-explorer" href="/">Open in the network explorer</a>
  </div>
</form>
<p id="status" role="status" aria-live="polite">Loading…</p>
<ul id="matrix-legend" class="matrix-legend" aria-label="Colours"></ul>
<div class="matrix-scroll" tabindex="0" role="region" aria-label="The matrix (scrolls)">
  <table id="matrix"></table>
</div>
<section id="cell-detail" aria-live="polite"></section>"""


@cache
def model_picture() -> str:
    return (STATIC / "model.svg").read_text(encoding="utf-8")


def model_body() -> str:
    return f"""<h1>The data model in one picture</h1>
<p class="lead">What border21 knows, and how a cooperation link between two actors is traced back to the
  legal instruments and channels behind it.</p>
<figure class="model">
{model_picture()}
<figcaption>Boxes are classes of the <a href="/ontology">border21 ontology</a>; arrows are properties.
  The dashed part is derived by the build from the rest, which is curated, each fact with its official
  source.</figcaption>
</figure>
<section class="model-text">
<h2>In words</h2>
<ul>
  <li><strong>Actors</strong> are <a href="/ontology#State">states</a>,
    <a href="/ontology#InternationalOrganisation">international organisations</a> and
    <a href="/ontology#Agency">agencies</a>; an agency belongs to a state or an organisation
    (<code>org:subOrganizationOf</code>).</li>
  <li><strong>Legal instruments</strong> (treaties, EU acts, agreements, resolutions) carry their official
    identifiers and dates, and may prevail over, replace, amend or repeal each other.</li>
  <li><strong>Channels</strong> (information systems, communication and cooperation networks) are operated by an
    actor and rest on a legal basis.</li>
  <li>A <a href="/ontology#Participation">participation</a> is a thing, not an edge: one actor takes part in
    one instrument, in a mode (party, opt-in, opt-out, reservation, member), from a start date until an end
    date. A <a href="/ontology#ChannelAccess">channel access</a> says the same of a channel.</li>
  <li>Instruments and channels cover <strong>capabilities</strong>: cooperation functions (surrender, mutual
    legal assistance, fingerprint comparison, ...), crime areas and data categories, in SKOS schemes.</li>
  <li>The build derives <a href="/ontology#CooperationLink">cooperation links</a> between actors that take part in
    the same instrument or use the same channel at the same time; each link names its instrument or channel and
    the participations or accesses that support it. That is what the <a href="/">network explorer</a> draws and
    why it can say why two actors are linked.</li>
  <li>Every fact cites its source (<code>dcterms:source</code>); every data file is a named graph.</li>
</ul>
<p>Ask the graph directly in the <a href="/sparql">SPARQL editor</a>, or through the
  <a href="/docs">REST API</a>.</p>
</section>"""


def _this_year() -> int:
    return dt.date.today().year


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def explorer_page() -> HTMLResponse:
    library = f' data-graph-library="{GRAPH_LIBRARY}"' if vendor_dir("cytoscape") is not None else ""
    body = explorer_body(_this_year())
    return HTMLResponse(
        _document("Network explorer", "/", body, script="explorer.js", main_class="explorer", data=library)
    )


@router.get("/matrix", response_class=HTMLResponse, include_in_schema=False)
def matrix_page() -> HTMLResponse:
    body = matrix_body(_this_year())
    return HTMLResponse(_document("Matrix", "/matrix", body, script="matrix.js", main_class="matrix-page"))


@router.get("/model", response_class=HTMLResponse, include_in_schema=False)
def model_page() -> HTMLResponse:
    return HTMLResponse(_document("Data model", "/model", model_body(), script="", main_class="model-page"))
