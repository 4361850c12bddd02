// The network explorer at /: who cooperates with whom on a date, through what, and what a
// scenario would change. The view lives in the query string (at, level, capability, channel,
// instrument, actor, layout, view, focus, edge, scenario), so a URL shares it.

import {
  ACTOR_KINDS,
  CAPABILITY_KINDS,
  allItems,
  capabilityOptions,
  dateControls,
  dayBefore,
  debounce,
  fill,
  formatDate,
  getJSON,
  h,
  kindOf,
  pageOf,
  postJSON,
  today,
  validDate,
  wholeNetwork,
} from "./common.js";
import { createGraph, edgeId } from "./graph.js";
import { edgePanel, nodePanel, outcomeMark, outcomeText, scenarioPanel } from "./panels.js";

const $ = (id) => document.getElementById(id);
const main = $("main");
const PARAMETERS = ["at", "level", "capability", "channel", "instrument", "actor", "layout", "view", "focus", "edge", "scenario"];
const DEFAULTS = { level: "state", view: "graph" };
const LAYOUTS = ["", "circle", "clusters", "concentric", "cose", "grid"];
const SEARCH_KINDS = [...ACTOR_KINDS, "instrument", "channel", ...CAPABILITY_KINDS].join(",");

const state = {
  at: "", level: "state", capability: "", channel: "", instrument: "", actor: "", layout: "", view: "graph",
  focus: "", edge: "", scenario: "",
};
const lists = { capabilities: new Map(), channels: new Map(), instruments: new Map(), actors: new Map() };
const scenario = { changes: [], result: null, records: [] };
let network = null;
let graph = null;
let loads = 0;
let dates = null;

const at = () => state.at || today();
const keyOfIri = (iri) => (iri && iri.includes("/id/") ? iri.split("/id/")[1] : iri);

// -- the URL ------------------------------------------------------------------------------

function readUrl() {
  const query = new URLSearchParams(location.search);
  for (const name of PARAMETERS) if (query.has(name)) state[name] = query.get(name).trim();
  if (!validDate(state.at)) state.at = "";
  if (!["state", "agency"].includes(state.level)) state.level = "state";
  if (!["graph", "table"].includes(state.view)) state.view = "graph";
  if (!LAYOUTS.includes(state.layout)) state.layout = "";
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(state.scenario)) state.scenario = "";
}

/** Drop what names nothing known, so that no request is made that can only fail. */
function checkAgainstLists() {
  if (!lists.capabilities.has(state.capability)) state.capability = "";
  if (!lists.channels.has(state.channel)) state.channel = "";
  if (!lists.instruments.has(state.instrument)) state.instrument = "";
  if (!lists.actors.has(state.actor)) state.actor = "";
  if (!lists.actors.has(state.focus)) state.focus = "";
  const ends = state.edge.split("~");
  if (ends.length !== 2 || !ends.every((key) => lists.actors.has(key))) state.edge = "";
}

function writeUrl() {
  const query = new URLSearchParams();
  for (const name of PARAMETERS) {
    const value = state[name];
    if (value && value !== DEFAULTS[name]) query.set(name, value);
  }
  const url = query.toString() ? `/?${query}` : "/";
  history.replaceState(null, "", url);
  $("permalink").href = url;
}

// -- the controls ---------------------------------------------------------------------------

function option(value, label) {
  return h("option", { value }, label);
}

function actorOptions(select) {
  const groups = { state: "States", organisation: "Organisations", agency: "Agencies" };
  for (const [kind, label] of Object.entries(groups)) {
    const actors = [...lists.actors.values()].filter((a) => a.type === kind);
    if (actors.length) select.append(h("optgroup", { label }, actors.map((a) => option(a.key, a.label))));
  }
}

async function loadLists() {
  const [schemes, channels, instruments, actors] = await Promise.all([
    getJSON("/api/v1/capabilities"),
    allItems("/api/v1/channels"),
    allItems("/api/v1/instruments"),
    allItems("/api/v1/actors"),
  ]);
  const offered = capabilityOptions($("capability"), schemes);
  const walk = (concepts) => concepts.forEach((c) => (lists.capabilities.set(c.key, c), walk(c.narrower ?? [])));
  schemes.forEach((s) => walk(s.concepts));
  for (const key of [...lists.capabilities.keys()]) if (!offered.has(key)) lists.capabilities.delete(key);
  const byLabel = (a, b) => a.label.localeCompare(b.label);
  for (const c of channels.sort(byLabel)) {
    lists.channels.set(c.key, c);
    $("channel").append(option(c.key, c.acronyms[0] ? `${c.acronyms[0]}: ${c.label}` : c.label));
  }
  for (const i of instruments.sort(byLabel)) {
    lists.instruments.set(i.key, i);
    $("instrument").append(option(i.key, i.acronyms[0] ? `${i.acronyms[0]}: ${i.label}` : i.label));
  }
  for (const a of actors.sort(byLabel)) lists.actors.set(a.key, a);
  actorOptions($("actor"));
  actorOptions($("scenario-actor"));
}

function syncControls() {
  for (const name of ["capability", "channel", "instrument", "actor", "layout"]) $(name).value = state[name];
  for (const radio of document.querySelectorAll('input[name="level"]')) radio.checked = radio.value === state.level;
  dates?.show(at());
  $("scenario-date").value = dayBefore(at());
}

function wireControls() {
  for (const name of ["capability", "channel", "instrument", "actor"]) {
    $(name).addEventListener("change", () => {
      state[name] = $(name).value;
      load();
    });
  }
  for (const radio of document.querySelectorAll('input[name="level"]')) {
    radio.addEventListener("change", () => {
      state.level = radio.value;
      state.focus = "";
      state.edge = "";
      load();
    });
  }
  $("layout").addEventListener("change", () => {
    state.layout = $("layout").value;
    writeUrl();
    graph?.relayout(state.layout);
  });
  $("clear").addEventListener("click", () => {
    Object.assign(state, { capability: "", channel: "", instrument: "", actor: "", focus: "", edge: "" });
    syncControls();
    load();
  });
  dates = dateControls({ year: $("year"), at: $("at"), output: $("year-out") }, at(), (iso) => {
    state.at = iso === today() ? "" : iso;
    $("scenario-date").value = dayBefore(at());
    load();
  });
  $("zoom-in").addEventListener("click", () => graph?.zoomBy(1.25));
  $("zoom-out").addEventListener("click", () => graph?.zoomBy(0.8));
  $("zoom-fit").addEventListener("click", () => graph?.fit());
  wireTabs();
}

function wireTabs() {
  const tabs = [$("tab-graph"), $("tab-table")];
  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => showView(index === 0 ? "graph" : "table"));
    tab.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        const next = tabs[(index + 1) % 2];
        next.focus();
        showView(next === tabs[0] ? "graph" : "table");
        event.preventDefault();
      }
    });
  });
}

function showView(view) {
  if (!graph) view = "table";
  state.view = view;
  const graphShown = view === "graph";
  $("tab-graph").setAttribute("aria-selected", String(graphShown));
  $("tab-table").setAttribute("aria-selected", String(!graphShown));
  $("tab-graph").tabIndex = graphShown ? 0 : -1;
  $("tab-table").tabIndex = graphShown ? -1 : 0;
  $("graph-view").hidden = !graphShown;
  $("table-view").hidden = graphShown;
  if (graphShown && graph) {
    graph.cy.resize();
    graph.relayout(state.layout);
  }
  writeUrl();
}

// -- the network ----------------------------------------------------------------------------

function describe(count, edges) {
  const nodes = state.level === "state" ? "states" : "actors";
  const parts = [`${count} ${nodes}, ${edges} ${edges === 1 ? "link" : "links"} on ${formatDate(at())}`];
  if (state.capability) parts.push(`for ${lists.capabilities.get(state.capability)?.label}`);
  if (state.instrument) parts.push(`through ${lists.instruments.get(state.instrument)?.label}`);
  if (state.channel) parts.push(`through ${lists.channels.get(state.channel)?.label}`);
  if (state.actor) parts.push(`of ${lists.actors.get(state.actor)?.label}`);
  return parts.join(" ");
}

async function load() {
  const ticket = ++loads;
  writeUrl();
  main.dataset.state = "loading";
  $("status").textContent = `Loading the network on ${formatDate(at())}…`;
  let answer;
  try {
    answer = await wholeNetwork({
      at: at(),
      level: state.level,
      capability: state.capability,
      channel: state.channel,
      instrument: state.instrument,
      actor: state.actor,
    });
  } catch (error) {
    if (ticket !== loads) return;
    main.dataset.state = "error";
    $("status").textContent = `The network could not be loaded: ${error.message}`;
    return;
  }
  if (ticket !== loads) return; // a later request is on its way
  network = answer;
  graph?.show(network, state.layout);
  renderTables();
  markScenario();
  if (scenario.result) fill($("scenario-result"), scenarioPanel(scenario.result, { actions, shownAt: at() }));
  $("status").textContent = describe(network.nodes.length, network.edges.length);
  $("graph").setAttribute("aria-label", `Network graph: ${$("status").textContent}`);
  Object.assign(main.dataset, {
    state: "ready",
    at: network.at,
    nodes: String(network.nodes.length),
    edges: String(network.edges.length),
  });
  if (state.edge) openEdge(state.edge);
  else if (state.focus) openNode(state.focus, { centre: true });
}

function edgeOf(id) {
  return network?.edges.find((e) => edgeId(e.a.key, e.b.key) === id);
}

function renderTables() {
  const outcomes = pairOutcomes();
  const rows = network.edges.map((edge) => {
    const id = edgeId(edge.a.key, edge.b.key);
    const links = edge.bases.flatMap((b) => b.links);
    const since = links.map((l) => l.start).sort()[0];
    // only a bound when every link starting that day is itself dated by a confirmation
    const boundOnly = since && links.filter((l) => l.start === since).every((l) => l.start_confirmed_only);
    const pair = outcomes.get(id) ?? [];
    const mark = outcomeMark(pair);
    return h(
      "tr",
      { class: mark ?? "", dataset: { edge: id } },
      h("td", {}, nodeButton(edge.a)),
      h("td", {}, nodeButton(edge.b)),
      h("td", {}, edge.bases.map((b, i) => [i ? "; " : "", b.basis.label, ` (${b.kind})`])),
      h("td", {}, since ? `${formatDate(since)}${boundOnly ? " or earlier" : ""}` : ""),
      h("td", {}, pair.filter((o) => o.lost.length).map((o, i) => [i ? "; " : "", outcomeText(o)])),
      h(
        "td",
        {},
        h(
          "button",
          { type: "button", onclick: () => openEdge(id, { focusPanel: true }), "aria-label": `Why ${edge.a.label} and ${edge.b.label} are linked` },
          "Why?",
        ),
      ),
    );
  });
  fill($("links-table").tBodies[0], rows);
  $("links-table").caption.textContent = `Links (${rows.length})`;
  const actors = network.nodes.map((node) =>
    h("tr", { dataset: { node: node.key } }, h("td", {}, nodeButton(node)), h("td", {}, node.type), h("td", {}, String(node.degree))),
  );
  fill($("actors-table").tBodies[0], actors);
  $("actors-table").caption.textContent = `Actors (${actors.length})`;
}

/** An instrument's or channel's acronym, else its label cut short. */
function shortName(ref) {
  const item = lists.instruments.get(ref.key) ?? lists.channels.get(ref.key);
  const acronym = item?.acronyms?.find((a) => a.length <= 40);
  if (acronym) return acronym;
  return ref.label.length > 60 ? `${ref.label.slice(0, 57)}…` : ref.label;
}

function nodeButton(ref) {
  return h("button", { type: "button", class: "link", onclick: () => openNode(ref.key, { focusPanel: true }) }, ref.label);
}

function markRow(selector) {
  for (const row of document.querySelectorAll("#table-view tr.selected")) row.classList.remove("selected");
  if (selector) document.querySelector(selector)?.classList.add("selected");
}

// -- the panel ------------------------------------------------------------------------------

const actions = {
  openNode: (key) => openNode(key, { focusPanel: true, centre: true }),
  openEdge: (id) => openEdge(id, { focusPanel: true }),
  centre: (key) => graph?.highlightNode(key, { centre: true }),
  onlyLinks: (key) => {
    state.actor = key;
    syncControls();
    load();
  },
};

function showDetails(content, { focusPanel = false } = {}) {
  const details = $("details");
  fill(details, content);
  details.scrollIntoView?.({ block: "nearest" });
  if (focusPanel) details.focus();
}

async function openNode(key, { centre = false, focusPanel = false } = {}) {
  state.focus = key;
  state.edge = "";
  writeUrl();
  graph?.highlightNode(key, { centre });
  markRow(`#actors-table tr[data-node="${CSS.escape(key)}"]`);
  const known = lists.actors.get(key);
  const node = network?.nodes.find((n) => n.key === key) ?? {
    key, label: known?.label ?? key, type: known?.type ?? kindOf(key), degree: 0, iso_code: known?.iso_code,
  };
  const edges = network?.edges.filter((e) => e.a.key === key || e.b.key === key) ?? [];
  const render = (detail) =>
    showDetails(nodePanel({ node, actor: known, detail, edges, at: at(), actions, short: shortName }), { focusPanel });
  render(null);
  main.dataset.panel = `node:${key}`;
  try {
    const detail = await getJSON(pageOf(key).replace("/id/", "/api/v1/resources/"), { at: at() });
    if (state.focus === key) render(detail);
  } catch (error) {
    if (state.focus === key) $("details").append(h("p", { class: "error" }, `Its records could not be loaded: ${error.message}`));
  }
}

async function openEdge(id, { focusPanel = false } = {}) {
  state.edge = id;
  state.focus = "";
  writeUrl();
  const edge = edgeOf(id);
  main.dataset.panel = `edge:${id}`;
  if (!edge) {
    const [a, b] = id.split("~").map((key) => lists.actors.get(key)?.label ?? key);
    showDetails([h("h2", {}, a, " – ", b), h("p", {}, `Not linked on ${formatDate(at())} with these filters.`)], { focusPanel });
    graph?.clearHighlight();
    return;
  }
  graph?.highlightEdge(id);
  markRow(`#links-table tr[data-edge="${CSS.escape(id)}"]`);
  const capability = lists.capabilities.get(state.capability);
  const outcomes = pairOutcomes().get(id) ?? [];
  const render = (ways) => showDetails(edgePanel({ edge, at: at(), capability, outcomes, ways, actions }), { focusPanel });
  render(null);
  if (capability?.type === "function") {
    try {
      const ways = await getJSON("/api/v1/paths", { from: edge.a.key, to: edge.b.key, function: capability.key, at: at() });
      if (state.edge === id) render(ways);
    } catch {
      // the panel already says why they are linked; the ways are a bonus
    }
  }
}

function clearSelection() {
  state.focus = "";
  state.edge = "";
  writeUrl();
  graph?.clearHighlight();
  markRow(null);
  delete main.dataset.panel;
}

// -- search ---------------------------------------------------------------------------------

function wireSearch() {
  const input = $("search");
  const list = $("suggestions");
  let items = [];
  let active = -1;
  let asked = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (index) => {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) input.setAttribute("aria-activedescendant", list.children[index].id);
    list.children[index]?.scrollIntoView({ block: "nearest" });
  };
  const choose = (item) => {
    close();
    input.value = item.label;
    pick(item);
  };
  const suggest = debounce(async () => {
    const q = input.value.trim();
    if (!/[\p{L}\p{N}]/u.test(q) || q.length > 200) return close();
    const ticket = ++asked;
    let answer;
    try {
      answer = await getJSON("/api/v1/search/autocomplete", { q, limit: 10, kind: SEARCH_KINDS });
    } catch {
      return close();
    }
    if (ticket !== asked) return;
    items = answer.items;
    fill(
      list,
      items.length
        ? items.map((item, i) =>
            h(
              "li",
              { id: `suggestion-${i}`, role: "option", "aria-selected": "false", onmousedown: (e) => (e.preventDefault(), choose(item)) },
              item.label,
              h("span", { class: "kind" }, item.type),
            ),
          )
        : [h("li", { role: "option", "aria-disabled": "true" }, "Nothing found")],
    );
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  }, 150);

  input.addEventListener("input", suggest);
  input.addEventListener("blur", () => setTimeout(close, 100));
  input.addEventListener("keydown", (event) => {
    const open = !list.hidden && items.length;
    if (event.key === "ArrowDown" && open) highlight((active + 1) % items.length);
    else if (event.key === "ArrowUp" && open) highlight((active - 1 + items.length) % items.length);
    else if (event.key === "Enter" && open) choose(items[Math.max(active, 0)]);
    else if (event.key === "Escape") close();
    else return;
    event.preventDefault();
  });
}

/** A chosen suggestion: an actor is shown, an instrument, channel or capability filters. */
function pick(item) {
  const kind = kindOf(item.key);
  if (ACTOR_KINDS.includes(kind)) {
    const level = kind === "state" ? "state" : "agency";
    if (level !== state.level) {
      Object.assign(state, { level, focus: item.key, edge: "" });
      syncControls();
      load();
    } else {
      openNode(item.key, { centre: true, focusPanel: true });
    }
  } else if (kind === "instrument" || kind === "channel") {
    state[kind] = item.key;
    syncControls();
    load();
  } else if (CAPABILITY_KINDS.includes(kind) && lists.capabilities.has(item.key)) {
    state.capability = item.key;
    syncControls();
    load();
  } else {
    location.assign(pageOf(item.key));
  }
}

// -- scenarios ------------------------------------------------------------------------------

function pairOutcomes() {
  const byPair = new Map();
  if (!scenario.result || scenario.result.request.at !== at()) return byPair;
  for (const outcome of scenario.result.outcomes) {
    const id = edgeId(outcome.a.key, outcome.b.key);
    if (!byPair.has(id)) byPair.set(id, []);
    byPair.get(id).push(outcome);
  }
  return byPair;
}

function markScenario() {
  const marks = new Map();
  for (const [id, outcomes] of pairOutcomes()) {
    const mark = outcomeMark(outcomes);
    if (mark) marks.set(id, mark);
  }
  graph?.markScenario(marks);
  main.dataset.lost = String([...marks.values()].filter((m) => m === "lost").length);
  main.dataset.fallback = String([...marks.values()].filter((m) => m === "fallback").length);
}

function changeText(change) {
  const actor = lists.actors.get(keyOfIri(change.actor))?.label ?? keyOfIri(change.actor);
  const basisKey = keyOfIri(change.instrument ?? change.channel);
  const basis = lists.instruments.get(basisKey)?.label ?? lists.channels.get(basisKey)?.label ?? basisKey;
  const what = change.kind === "end" ? `ends on ${formatDate(change.date)}` : change.kind === "remove" ? "never existed" : "added";
  return `${actor} in ${basis}: ${what}`;
}

function renderChanges() {
  const list = $("scenario-changes");
  if (!scenario.changes.length) {
    fill(list, h("li", { class: "empty" }, "None yet."));
  } else {
    fill(
      list,
      scenario.changes.map((change, index) =>
        h(
          "li",
          {},
          changeText(change),
          " ",
          h(
            "button",
            {
              type: "button",
              class: "link",
              "aria-label": `Take back: ${changeText(change)}`,
              onclick: () => {
                scenario.changes.splice(index, 1);
                renderChanges();
              },
            },
            "take back",
          ),
        ),
      ),
    );
  }
  $("scenario-run").disabled = scenario.changes.length === 0;
}

async function loadRecords(key) {
  const select = $("scenario-record");
  select.disabled = true;
  fill(select, option("", "loading…"));
  scenario.records = [];
  if (!key) return fill(select, option("", "choose an actor first"));
  try {
    const detail = await getJSON(pageOf(key).replace("/id/", "/api/v1/resources/"), { at: at() });
    scenario.records = detail.records.filter((r) => r.holds);
  } catch (error) {
    return fill(select, option("", `could not load: ${error.message}`));
  }
  if (!scenario.records.length) return fill(select, option("", `none on ${formatDate(at())}`));
  fill(
    select,
    scenario.records.map((r, index) =>
      option(String(index), `${r.kind === "participation" ? "In" : "Access to"} ${r.basis.label}${r.mode ? ` (${r.mode.label})` : ""}`),
    ),
  );
  select.disabled = false;
}

function wireScenario() {
  $("scenario-actor").addEventListener("change", () => loadRecords($("scenario-actor").value));
  $("scenario-add").addEventListener("click", () => {
    const record = scenario.records[Number($("scenario-record").value)];
    const actor = $("scenario-actor").value;
    if (!record || !actor || $("scenario-record").disabled) return;
    const kind = document.querySelector('input[name="scenario-kind"]:checked').value;
    const date = $("scenario-date").value;
    if (kind === "end" && !validDate(date)) return;
    const change = { kind, actor, [record.basis.type === "channel" ? "channel" : "instrument"]: record.basis.key };
    if (kind === "end") change.date = date;
    scenario.changes.push(change);
    renderChanges();
  });
  $("scenario-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!scenario.changes.length) return;
    $("scenario-run").disabled = true;
    fill($("scenario-result"), h("p", {}, "Running…"));
    try {
      showScenario(await postJSON("/api/v1/scenarios", { at: at(), changes: scenario.changes }));
    } catch (error) {
      fill($("scenario-result"), h("p", { class: "error" }, `The scenario could not be run: ${error.message}`));
    } finally {
      $("scenario-run").disabled = scenario.changes.length === 0;
    }
  });
  $("scenario-clear").addEventListener("click", () => {
    scenario.changes = [];
    scenario.result = null;
    state.scenario = "";
    renderChanges();
    fill($("scenario-result"));
    writeUrl();
    if (network) {
      markScenario();
      renderTables();
    }
  });
}

function showScenario(result) {
  scenario.result = result;
  state.scenario = result.id;
  writeUrl();
  fill($("scenario-result"), scenarioPanel(result, { actions, shownAt: at() }));
  main.dataset.scenario = result.id;
  if (network) {
    markScenario();
    renderTables();
  }
}

async function loadScenario(id) {
  $("scenario-box").open = true;
  try {
    const result = await getJSON(`/api/v1/scenarios/${encodeURIComponent(id)}`);
    state.at = result.request.at === today() ? "" : result.request.at;
    scenario.changes = result.request.changes.map((c) => ({
      kind: c.kind,
      actor: keyOfIri(c.actor),
      ...(c.instrument ? { instrument: keyOfIri(c.instrument) } : {}),
      ...(c.channel ? { channel: keyOfIri(c.channel) } : {}),
      ...(c.date ? { date: c.date } : {}),
    }));
    renderChanges();
    scenario.result = result;
    fill($("scenario-result"), scenarioPanel(result, { actions, shownAt: at() }));
    main.dataset.scenario = result.id;
  } catch (error) {
    state.scenario = "";
    fill($("scenario-result"), h("p", { class: "error" }, `Scenario ${id} could not be loaded: ${error.message}`));
  }
}

// -- start ----------------------------------------------------------------------------------

async function graphLibrary() {
  const url = main.dataset.graphLibrary;
  if (!url) return null;
  try {
    return (await import(url)).default;
  } catch {
    return null;
  }
}

async function start() {
  readUrl();
  const [cytoscape] = await Promise.all([graphLibrary(), loadLists()]);
  checkAgainstLists();
  if (cytoscape) {
    graph = createGraph(cytoscape, $("graph"), (text) => ($("graph-cursor").textContent = text), {
      node: (key) => openNode(key),
      edge: (id) => openEdge(id),
      background: clearSelection,
    });
    window.explorer = { cy: graph.cy }; // for the browser's console, and the browser tests
    window.addEventListener("resize", debounce(() => graph.fit(), 200));
  } else {
    document.body.classList.add("no-graph");
    $("tab-graph").disabled = true;
    $("graph").replaceWith(h("p", { class: "help" }, "The graph library is not installed: the table shows the network."));
  }
  wireControls();
  wireSearch();
  wireScenario();
  if (state.scenario) await loadScenario(state.scenario);
  syncControls();
  showView(state.view);
  await load();
}

start().catch((error) => {
  main.dataset.state = "error";
  $("status").textContent = `The explorer could not start: ${error.message}`;
});
