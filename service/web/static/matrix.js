// The matrix at /matrix: states by states for one cooperation function on a date. Each cell is
// the instrument or channel that applies first between the two (the network's bases come in
// precedence order: instruments before channels, the one prevailing over more first), coloured
// by its kind. Exported as CSV, and as PNG drawn on a canvas here.

import {
  allItems,
  capabilityOptions,
  dateControls,
  download,
  fill,
  formatDate,
  getJSON,
  h,
  resourceLink,
  today,
  validDate,
  withQuery,
  wholeNetwork,
} from "./common.js";

const $ = (id) => document.getElementById(id);
const main = $("main");
const pairKey = (a, b) => [a, b].sort().join("~");

// Kinds of instrument and channel, grouped for colour.
const CATEGORIES = [
  { name: "treaty or protocol", colour: "#6b3fa0", kinds: ["treaty", "protocol"] },
  { name: "EU act", colour: "#1f5fa8", kinds: ["regulation", "directive", "framework-decision", "council-decision"] },
  { name: "agreement", colour: "#0f7b6c", kinds: ["international-agreement", "bilateral-agreement", "working-arrangement"] },
  { name: "UN Security Council resolution", colour: "#8a5a00", kinds: ["security-council-resolution"] },
  { name: "other instrument", colour: "#5a6473", kinds: [] },
  { name: "channel", colour: "#c2571a", kinds: [] },
];

const state = { function: "", at: "" };
const bases = new Map(); // key -> {label, kind, category, short}
let states = [];
let functions = new Map();
let cells = new Map(); // pair key -> edge
let loads = 0;
let chosen = null; // [row, column] of the focused cell

const at = () => state.at || today();

function category(basis) {
  if (basis.type === "channel") return CATEGORIES[5];
  return CATEGORIES.find((c) => c.kinds.includes(basis.kind)) ?? CATEGORIES[4];
}

function abbreviation(item) {
  const acronym = item.acronyms?.find((a) => a.length <= 10);
  if (acronym) return acronym;
  const words = item.label.split(/[\s-]+/).filter((w) => /^[A-Z0-9]/.test(w));
  return (words.length ? words : item.label.split(/\s+/)).map((w) => w[0]).join("").slice(0, 5);
}

function readUrl() {
  const query = new URLSearchParams(location.search);
  state.function = (query.get("function") ?? "").trim();
  state.at = validDate(query.get("at")) ? query.get("at") : "";
}

function writeUrl() {
  const url = withQuery("/matrix", { function: state.function, at: state.at });
  history.replaceState(null, "", url);
  $("open-explorer").href = withQuery("/", { capability: state.function, at: state.at });
}

async function loadLists() {
  const [schemes, actors, instruments, channels] = await Promise.all([
    getJSON("/api/v1/capabilities"),
    allItems("/api/v1/actors", { kind: "state" }),
    allItems("/api/v1/instruments"),
    allItems("/api/v1/channels"),
  ]);
  const functionSchemes = schemes.filter((s) => s.scheme.key === "scheme/cooperation-functions");
  capabilityOptions($("function"), functionSchemes);
  const walk = (concepts) => concepts.forEach((c) => (functions.set(c.key, c), walk(c.narrower ?? [])));
  functionSchemes.forEach((s) => walk(s.concepts));
  states = actors.sort((a, b) => a.label.localeCompare(b.label));
  const used = new Map();
  for (const item of [...instruments, ...channels]) {
    let short = abbreviation(item);
    const seen = used.get(short) ?? 0;
    used.set(short, seen + 1);
    if (seen) short = `${short}${seen + 1}`;
    bases.set(item.key, { key: item.key, label: item.label, kind: item.kind, type: item.type, short, category: category(item) });
  }
}

async function load() {
  const ticket = ++loads;
  writeUrl();
  main.dataset.state = "loading";
  $("status").textContent = "Loading…";
  let network;
  try {
    network = await wholeNetwork({ at: at(), level: "state", capability: state.function });
  } catch (error) {
    if (ticket === loads) {
      main.dataset.state = "error";
      $("status").textContent = `The matrix could not be loaded: ${error.message}`;
    }
    return;
  }
  if (ticket !== loads) return;
  cells = new Map(network.edges.map((edge) => [pairKey(edge.a.key, edge.b.key), edge]));
  render();
  const name = functions.get(state.function)?.label ?? state.function;
  $("status").textContent = `${name} on ${formatDate(network.at)}: ${states.length} states, ${cells.size} linked pairs.`;
  Object.assign(main.dataset, { state: "ready", at: network.at, pairs: String(cells.size) });
}

/** The cell's content: the basis that applies first, and the others. */
function cellOf(row, column) {
  if (row.key === column.key) return null;
  const edge = cells.get(pairKey(row.key, column.key));
  if (!edge) return null;
  const [first, ...others] = edge.bases.map((b) => bases.get(b.basis.key) ?? fallbackBasis(b));
  return { edge, first, others };
}

function fallbackBasis(b) {
  return { key: b.basis.key, label: b.basis.label, type: b.kind, short: b.basis.label.slice(0, 5), category: category({ type: b.kind }) };
}

function cellTitle(row, column, cell) {
  const also = cell.others.length ? `; also ${cell.others.map((o) => o.label).join(", ")}` : "";
  return `${row.label} – ${column.label}: ${cell.first.label} (${cell.first.category.name})${also}`;
}

function render() {
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, "State"),
    states.map((s) => h("th", { scope: "col", title: s.label }, s.iso_code ?? s.label)),
  );
  const rows = states.map((row, r) =>
    h(
      "tr",
      {},
      h("th", { scope: "row" }, row.label),
      states.map((column, c) => {
        if (row.key === column.key) return h("td", { class: "self" }, h("span", { class: "visually-hidden" }, "same state"));
        const cell = cellOf(row, column);
        if (!cell) return h("td", {});
        const title = cellTitle(row, column, cell);
        return h(
          "td",
          { style: `background:${cell.first.category.colour}`, dataset: { r, c } },
          h(
            "button",
            { type: "button", tabindex: "-1", title, "aria-label": title, dataset: { r, c }, onclick: () => choose(r, c) },
            cell.first.short,
          ),
        );
      }),
    ),
  );
  fill($("matrix"), h("caption", { class: "visually-hidden" }, $("status").textContent), h("thead", {}, head), h("tbody", {}, rows));
  const first = $("matrix").querySelector("td button");
  if (first) first.tabIndex = 0;
  renderLegend();
}

function renderLegend() {
  const shown = new Map();
  for (const edge of cells.values()) {
    const basis = bases.get(edge.bases[0].basis.key);
    if (basis) shown.set(basis.key, basis);
  }
  const categories = CATEGORIES.filter((c) => [...shown.values()].some((b) => b.category === c));
  fill(
    $("matrix-legend"),
    categories.map((c) => h("li", {}, h("span", { class: "swatch", style: `background:${c.colour}` }), c.name)),
    [...shown.values()]
      .sort((a, b) => a.short.localeCompare(b.short))
      .map((b) => h("li", {}, h("strong", {}, b.short), `: ${b.label}`)),
  );
}

// -- choosing a cell, by pointer or arrow keys --------------------------------------------

function wireKeys() {
  $("matrix").addEventListener("keydown", (event) => {
    const button = event.target.closest("button[data-r]");
    if (!button) return;
    const moves = { ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0] };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    let [r, c] = [Number(button.dataset.r), Number(button.dataset.c)];
    for (let step = 0; step < states.length; step++) {
      r += move[0];
      c += move[1];
      if (r < 0 || c < 0 || r >= states.length || c >= states.length) return;
      const next = $("matrix").querySelector(`button[data-r="${r}"][data-c="${c}"]`);
      if (next) {
        button.tabIndex = -1;
        next.tabIndex = 0;
        next.focus();
        return;
      }
    }
  });
}

async function choose(r, c) {
  for (const td of $("matrix").querySelectorAll("td.chosen")) td.classList.remove("chosen");
  $("matrix").querySelector(`td[data-r="${r}"][data-c="${c}"]`)?.classList.add("chosen");
  chosen = [r, c];
  const [row, column] = [states[r], states[c]];
  const cell = cellOf(row, column);
  if (!cell) return;
  const fn = functions.get(state.function);
  const explorer = withQuery("/", { capability: state.function, at: state.at, edge: pairKey(row.key, column.key) });
  fill(
    $("cell-detail"),
    h("h2", {}, `${row.label} – ${column.label}`),
    h("p", {}, `For ${fn?.label ?? state.function} on ${formatDate(at())}, in the order they apply:`),
    h(
      "ol",
      {},
      cell.edge.bases.map((b) => h("li", {}, resourceLink(b.basis), ` (${bases.get(b.basis.key)?.category.name ?? b.kind})`)),
    ),
    h("p", {}, h("a", { href: explorer }, "Why they are linked, in the network explorer")),
  );
  try {
    const paths = await getJSON("/api/v1/paths", { from: row.key, to: column.key, function: state.function, at: at() });
    if (chosen?.[0] !== r || chosen?.[1] !== c) return;
    const direct = paths.paths.filter((p) => p.kind === "direct");
    const applies = direct.filter((p) => p.applies).map((p) => p.steps[0].way.basis.label);
    const fallbacks = direct.filter((p) => !p.applies).map((p) => p.steps[0].way.basis.label);
    $("cell-detail").append(
      h("p", {}, `Applies: ${applies.join(", ") || "nothing"}.`, fallbacks.length ? ` Fallbacks: ${fallbacks.join(", ")}.` : ""),
    );
  } catch {
    // the list above already names the instruments and channels
  }
}

// -- exports --------------------------------------------------------------------------------

function fileStem() {
  const slug = state.function.split("/")[1] ?? "all";
  return `border21-matrix-${slug}-${at()}`;
}

const csvField = (text) => `"${String(text).replaceAll('"', '""')}"`;

export function matrixCsv() {
  const lines = [["state", ...states.map((s) => s.label)].map(csvField).join(",")];
  for (const row of states) {
    const values = states.map((column) => cellOf(row, column)?.first.label ?? "");
    lines.push([row.label, ...values].map(csvField).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

function drawPng() {
  const scale = 2;
  const cellSize = 40;
  const font = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d");
  context.font = font;
  const labelWidth = Math.ceil(Math.max(60, ...states.map((s) => context.measureText(s.label).width))) + 16;
  const headerHeight = labelWidth;
  const legend = legendLines();
  const title = `border21 · ${functions.get(state.function)?.label ?? state.function}`;
  const subtitle = `On ${formatDate(at())}: the instrument or channel that applies first between two states.`;
  const texts = [subtitle, ...legend.map((line) => line.text)].map((text) => context.measureText(text).width + 40);
  const width = Math.ceil(Math.max(labelWidth + cellSize * states.length + 20, 480, ...texts));
  const top = 56;
  const height = top + headerHeight + cellSize * states.length + 24 + legend.length * 18 + 16;
  canvas.width = width * scale;
  canvas.height = height * scale;
  context.scale(scale, scale);
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, width, height);
  context.fillStyle = "#1d2430";
  context.font = `bold 16px system-ui, sans-serif`;
  context.fillText(title, 10, 24);
  context.font = font;
  context.fillText(subtitle, 10, 44);
  const x0 = labelWidth;
  const y0 = top + headerHeight;
  states.forEach((s, i) => {
    context.save();
    context.translate(x0 + i * cellSize + cellSize / 2 + 4, y0 - 8);
    context.rotate(-Math.PI / 2);
    context.fillStyle = "#1d2430";
    context.fillText(s.label, 0, 0);
    context.restore();
    context.fillStyle = "#1d2430";
    context.fillText(s.label, 8, y0 + i * cellSize + cellSize / 2 + 4);
  });
  context.textAlign = "center";
  states.forEach((row, r) => {
    states.forEach((column, c) => {
      const x = x0 + c * cellSize;
      const y = y0 + r * cellSize;
      const cell = cellOf(row, column);
      context.fillStyle = row.key === column.key ? "#eceff3" : cell ? cell.first.category.colour : "#ffffff";
      context.fillRect(x, y, cellSize, cellSize);
      context.strokeStyle = "#d8dde4";
      context.strokeRect(x + 0.5, y + 0.5, cellSize, cellSize);
      if (cell) {
        context.fillStyle = "#ffffff";
        context.font = "bold 10px system-ui, sans-serif";
        context.fillText(fitText(context, cell.first.short, cellSize - 4), x + cellSize / 2, y + cellSize / 2 + 4);
      }
    });
  });
  context.textAlign = "left";
  context.font = font;
  let y = y0 + cellSize * states.length + 28;
  for (const line of legend) {
    if (line.colour) {
      context.fillStyle = line.colour;
      context.fillRect(10, y - 10, 12, 12);
    }
    context.fillStyle = "#1d2430";
    context.fillText(line.text, line.colour ? 28 : 10, y);
    y += 18;
  }
  return canvas;
}

function fitText(context, text, width) {
  let shown = text;
  while (shown.length > 1 && context.measureText(shown).width > width) shown = shown.slice(0, -1);
  return shown;
}

function legendLines() {
  const shown = new Map();
  for (const edge of cells.values()) {
    const basis = bases.get(edge.bases[0].basis.key);
    if (basis) shown.set(basis.key, basis);
  }
  const lines = CATEGORIES.filter((c) => [...shown.values()].some((b) => b.category === c)).map((c) => ({
    colour: c.colour,
    text: c.name,
  }));
  for (const basis of [...shown.values()].sort((a, b) => a.short.localeCompare(b.short))) {
    lines.push({ text: `${basis.short}: ${basis.label.length > 110 ? `${basis.label.slice(0, 109)}…` : basis.label}` });
  }
  return lines;
}

// -- start ----------------------------------------------------------------------------------

async function start() {
  readUrl();
  await loadLists();
  if (!functions.has(state.function)) {
    state.function = functions.has("function/surrender") ? "function/surrender" : [...functions.keys()][0] ?? "";
  }
  $("function").value = state.function;
  $("function").addEventListener("change", () => {
    state.function = $("function").value;
    load();
  });
  dateControls({ year: $("year"), at: $("at"), output: $("year-out") }, at(), (iso) => {
    state.at = iso === today() ? "" : iso;
    load();
  });
  $("export-csv").addEventListener("click", () => {
    download(`${fileStem()}.csv`, new Blob([matrixCsv()], { type: "text/csv;charset=utf-8" }));
  });
  $("export-png").addEventListener("click", () => {
    drawPng().toBlob((blob) => download(`${fileStem()}.png`, blob), "image/png");
  });
  wireKeys();
  await load();
}

start().catch((error) => {
  main.dataset.state = "error";
  $("status").textContent = `The matrix could not start: ${error.message}`;
});
