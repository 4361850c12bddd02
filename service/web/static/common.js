// Shared by the explorer and the matrix: DOM building, the REST facade, dates, downloads.
// Everything the data says reaches the page as text (textContent), never as markup.

export const FIRST_YEAR = 1990;
export const ACTOR_KINDS = ["state", "organisation", "agency"];
export const CAPABILITY_KINDS = ["function", "crime-area", "data-category"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December"];

/** An element: h("a", {href: "/", class: "x", onclick: f}, "text", child, ...). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      element.className = value;
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace what an element holds. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function answer(response) {
  if (response.ok) return response.json();
  let detail = `the server answered ${response.status}`;
  try {
    const body = await response.json();
    if (typeof body.detail === "string") detail = body.detail;
  } catch {
    // not JSON: keep the status
  }
  throw new ApiError(response.status, detail);
}

export async function getJSON(path, parameters = {}) {
  return answer(await fetch(withQuery(path, parameters), { headers: { Accept: "application/json" } }));
}

export async function postJSON(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return answer(response);
}

export function withQuery(path, parameters) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== null && value !== undefined && value !== "") query.set(name, value);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** Every item of a paged list (limit 500 a page). */
export async function allItems(path, parameters = {}) {
  const items = [];
  for (let offset = 0; ; offset += 500) {
    const page = await getJSON(path, { ...parameters, limit: 500, offset });
    items.push(...page.items);
    if (items.length >= page.total || page.items.length === 0) return items;
  }
}

/** The whole network the parameters ask for: its pages (1000 edges each) joined. */
export async function wholeNetwork(parameters = {}) {
  let network = null;
  const nodes = new Map();
  for (let offset = 0; ; ) {
    const page = await getJSON("/api/v1/network", { ...parameters, limit: 1000, offset });
    if (network === null) network = { ...page, edges: [] };
    network.edges.push(...page.edges);
    for (const node of page.nodes) nodes.set(node.key, node);
    offset += page.edges.length;
    if (offset >= page.total_edges || page.edges.length === 0) break;
  }
  network.nodes = [...nodes.values()].sort((x, y) => x.label.localeCompare(y.label));
  return network;
}

// -- dates --------------------------------------------------------------------------------

export function isoDate(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function today() {
  return isoDate(new Date());
}

export function validDate(text) {
  if (typeof text !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const [y, m, d] = text.split("-").map(Number);
  const date = new Date(y, m - 1, d);
  return date.getFullYear() === y && date.getMonth() === m - 1 && date.getDate() === d && y >= 1800;
}

export function dayBefore(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return isoDate(new Date(y, m - 1, d - 1));
}

export function formatDate(iso) {
  if (!validDate(iso)) return iso ?? "";
  const [y, m, d] = iso.split("-").map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/** A record's dates in words; a start only confirmed on its day (not known as the first) reads "or earlier". */
export function period(start, end, confirmedOnly = false) {
  const begins = start && confirmedOnly ? `${formatDate(start)} or earlier` : formatDate(start);
  if (start && end) return `${begins} to ${formatDate(end)}`;
  if (start) return `since ${begins}`;
  if (end) return `until ${formatDate(end)}`;
  return "";
}

/**
 * The year slider and the exact date, kept in step. Year Y stands for 1 January Y, and the
 * current year for today. `changed(iso)` is called once the user settles.
 */
export function dateControls({ year, at, output }, initial, changed) {
  const thisYear = new Date().getFullYear();
  let timer = null;
  const yearDate = (y) => (y >= thisYear ? today() : `${y}-01-01`);
  const show = (iso) => {
    at.value = iso;
    year.value = String(Math.max(FIRST_YEAR, Math.min(thisYear, Number(iso.slice(0, 4)))));
    output.textContent = formatDate(iso);
    year.setAttribute("aria-valuetext", formatDate(iso));
  };
  at.max = today();
  show(initial);
  year.addEventListener("input", () => {
    const iso = yearDate(Number(year.value));
    show(iso);
    clearTimeout(timer);
    timer = setTimeout(() => changed(iso), 180);
  });
  at.addEventListener("change", () => {
    if (!validDate(at.value)) return;
    const iso = at.value;
    show(iso);
    clearTimeout(timer);
    changed(iso);
  });
  return { show };
}

// -- resources ------------------------------------------------------------------------------

export const kindOf = (key) => (key ? key.split("/", 1)[0] : "");
export const pageOf = (key) => `/id/${key}`;

/** A link to a resource's page, when it has one, else its label as text. */
export function resourceLink(ref) {
  if (!ref) return "";
  return ref.key ? h("a", { href: pageOf(ref.key), title: ref.id }, ref.label) : ref.label;
}

/** Options for the capability schemes, indented by depth; returns the keys offered. */
export function capabilityOptions(select, schemes, { only = null } = {}) {
  const offered = new Set();
  for (const scheme of schemes) {
    if (scheme.scheme.key === "scheme/participation-modes") continue;
    const group = h("optgroup", { label: scheme.scheme.label });
    const walk = (concepts, depth) => {
      for (const concept of concepts) {
        if (!only || only(concept)) {
          const indent = "\u00a0\u00a0".repeat(depth);
          group.append(h("option", { value: concept.key }, `${indent}${concept.label}`));
          offered.add(concept.key);
        }
        walk(concept.narrower ?? [], depth + 1);
      }
    };
    walk(scheme.concepts, 0);
    if (group.children.length) select.append(group);
  }
  return offered;
}

export function download(filename, blob) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function debounce(fn, wait) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}
