// The network drawn with Cytoscape.js: nodes are actors, an edge joins two actors linked through
// one or more instruments or channels.
//
// Readable at 50 states and at 300 agencies: node and label sizes are worked out from the
// container and the number of nodes, so that the layout fits at a zoom near 1 instead of being
// shrunk to dots. A small or dense network goes on a circle, states marked by their ISO code;
// a large one is laid out in clusters, each best-linked actor with those that hang on it around
// it. In a crowd only the hubs are labelled until one zooms in; the chosen actor's neighbourhood
// is always labelled.

const COLOURS = {
  state: "#1f5fa8",
  organisation: "#8a5a00",
  agency: "#0f7b6c",
  instrument: "#6b3fa0",
  channel: "#c2571a",
  both: "#2f4858",
  lost: "#c62828",
  fallback: "#e08e0b",
  ink: "#1d2430",
  focus: "#ffbf47",
};
const SHAPES = { state: "ellipse", organisation: "diamond", agency: "round-rectangle" };
const SMALL = 60; // up to this many nodes a circle may do
const FEW = 16; // up to this many, full names under the nodes
const PADDING = 30;

export const edgeId = (a, b) => [a, b].sort().join("~");
const clamp = (value, low, high) => Math.max(low, Math.min(high, value));
const byLabel = (a, b) => a.data("label").localeCompare(b.data("label"));

function edgeKinds(edge) {
  const kinds = new Set(edge.bases.map((b) => b.kind));
  return kinds.size > 1 ? "both" : [...kinds][0] ?? "instrument";
}

export function elementsOf(network) {
  const count = network.nodes.length;
  const maxDegree = Math.max(1, ...network.nodes.map((n) => n.degree));
  const dense = network.edges.length > 150;
  const nodes = network.nodes.map((node) => {
    // a crowd of states reads best by ISO code; a few by their names
    const inside = Boolean(node.iso_code) && count > FEW;
    const hub = count > SMALL && node.degree >= Math.max(3, maxDegree / 3);
    return {
      group: "nodes",
      data: {
        id: node.key ?? node.id,
        label: node.label,
        caption: inside ? node.iso_code : node.label,
        type: node.type ?? "agency",
        degree: node.degree,
        weight: node.degree / maxDegree,
        size: 30,
        font: 12,
        colour: COLOURS[node.type] ?? COLOURS.agency,
        shape: SHAPES[node.type] ?? "ellipse",
      },
      classes: [inside ? "inside" : "below", hub ? "hub" : ""].join(" "),
    };
  });
  const edges = network.edges.map((edge) => {
    const a = edge.a.key ?? edge.a.id;
    const b = edge.b.key ?? edge.b.id;
    const kinds = edgeKinds(edge);
    return {
      group: "edges",
      data: {
        id: edgeId(a, b),
        source: a,
        target: b,
        kinds,
        colour: COLOURS[kinds],
        width: (dense ? 0.8 : 1.5) + Math.min(edge.bases.length, 6) * (dense ? 0.35 : 0.9),
      },
    };
  });
  return [...nodes, ...edges];
}

function style(count, edgeCount) {
  const crowded = count > SMALL;
  const faint = edgeCount > 150 ? 0.35 : 0.75;
  return [
    {
      selector: "node",
      style: {
        "background-color": "data(colour)",
        shape: "data(shape)",
        width: "data(size)",
        height: "data(size)",
        label: "data(caption)",
        "font-family": "system-ui, sans-serif",
        "font-size": "data(font)",
        // in a crowd, a label shows once one has zoomed in far enough to read it clear of others
        "min-zoomed-font-size": crowded ? 16 : 6,
        "border-width": 1.5,
        "border-color": "#ffffff",
        "overlay-opacity": 0,
      },
    },
    {
      selector: "node.inside",
      style: { "text-valign": "center", "text-halign": "center", color: "#ffffff", "font-weight": 700 },
    },
    {
      selector: "node.below",
      style: {
        "text-valign": "bottom",
        "text-margin-y": 3,
        color: COLOURS.ink,
        "text-outline-color": "#ffffff",
        "text-outline-width": 2,
        "text-wrap": "ellipsis",
        "text-max-width": crowded ? 120 : 150,
      },
    },
    { selector: "node.hub", style: { "min-zoomed-font-size": 0, "font-weight": 700 } },
    {
      selector: "edge",
      style: {
        width: "data(width)",
        "line-color": "data(colour)",
        opacity: faint,
        "curve-style": edgeCount > 400 ? "haystack" : "straight",
        "overlay-padding": 4,
      },
    },
    { selector: ".faded", style: { opacity: 0.12 } },
    { selector: "edge.faded", style: { opacity: 0.05 } },
    { selector: "node.near, node.focus", style: { "min-zoomed-font-size": 0, "z-index": 10 } },
    { selector: "edge.near", style: { opacity: 0.95, "z-index": 9 } },
    {
      selector: "node.focus",
      style: {
        "border-width": 4,
        "border-color": COLOURS.ink,
        label: "data(label)",
        "text-valign": "bottom",
        "text-margin-y": 4,
        color: COLOURS.ink,
        "text-outline-color": "#ffffff",
        "text-outline-width": 3,
        "font-size": 13,
        "font-weight": 700,
        "text-max-width": 220,
        "z-index": 20,
      },
    },
    { selector: "edge.focus", style: { opacity: 1, width: 8, "z-index": 20, "line-color": COLOURS.ink } },
    { selector: "node.cursor", style: { "border-width": 5, "border-color": COLOURS.focus, "z-index": 30 } },
    {
      selector: "edge.lost",
      style: { "line-color": COLOURS.lost, "line-style": "dashed", opacity: 1, width: 5, "z-index": 15 },
    },
    {
      selector: "edge.fallback",
      style: { "line-color": COLOURS.fallback, "line-style": "dashed", opacity: 1, width: 5, "z-index": 14 },
    },
  ];
}

/** Without a choice: a circle for a small or dense network, clusters around hubs otherwise. */
function automaticLayout(cy) {
  const count = cy.nodes().length;
  const density = count > 1 ? cy.edges().length / ((count * (count - 1)) / 2) : 1;
  const hub = cy.nodes().max((n) => n.degree()).value >= 0.6 * (count - 1);
  return count <= SMALL && (density >= 0.5 || !hub) ? "circle" : "clusters";
}

/** The container's size; a hidden one (the table view is showing) counts as a usual one. */
function area(cy) {
  const [width, height] = [cy.width(), cy.height()];
  return width > 50 && height > 50 ? { width, height } : { width: 800, height: 600 };
}

/** Node sizes for a circle that fills the container at zoom 1. */
function circleSizes(cy) {
  const { width, height } = area(cy);
  const count = Math.max(cy.nodes().length, 1);
  const labelled = cy.nodes(".below").length > 0;
  const radius = Math.max(60, Math.min(width, height) / 2 - PADDING - (labelled ? 28 : 14));
  const base = clamp(((2 * Math.PI * radius) / count) * 0.72, 14, 46);
  return { radius, base };
}

/** Node sizes for clusters that fill the container at zoom 1. */
function clusterSizes(cy) {
  const { width, height } = area(cy);
  const cell = Math.sqrt(((width - 2 * PADDING) * (height - 2 * PADDING)) / Math.max(cy.nodes().length, 1));
  return { base: clamp(cell * 0.4, 12, 34) };
}

function sizeNodes(cy, base) {
  cy.batch(() => {
    cy.nodes().forEach((node) => {
      const size = base * (0.8 + 0.2 * node.data("weight"));
      node.data("size", size);
      node.data("font", node.hasClass("inside") ? clamp(size * 0.42, 9, 14) : clamp(base * 0.6, 10, 13));
    });
  });
}

/**
 * Clusters: each actor hangs on its best-linked neighbour when that one has more links, up to
 * a hub; each hub sits amid its cluster's rings, and the clusters are packed in rows shaped
 * like the container. Deterministic: the same network is always drawn the same way.
 */
function clusterPositions(cy, spacing) {
  const { width, height } = area(cy);
  const rank = (n) => [n.degree(), n.data("label")];
  const better = (a, b) => a.degree() > b.degree() || (a.degree() === b.degree() && a.data("label") < b.data("label"));
  const roots = new Map();
  const rootOf = (node) => {
    if (roots.has(node.id())) return roots.get(node.id());
    roots.set(node.id(), node); // guards against cycles while looking
    let best = null;
    node.neighborhood("node").forEach((n) => {
      if (!best || better(n, best)) best = n;
    });
    const root = best && best.degree() > node.degree() ? rootOf(best) : node;
    roots.set(node.id(), root);
    return root;
  };
  const groups = new Map();
  cy.nodes()
    .sort((a, b) => {
      const [da, la] = rank(a);
      const [db, lb] = rank(b);
      return db - da || la.localeCompare(lb);
    })
    .forEach((node) => {
      const root = rootOf(node);
      if (!groups.has(root.id())) groups.set(root.id(), [root]);
      if (root !== node) groups.get(root.id()).push(node);
    });
  const placed = [...groups.values()].map((members) => {
    const offsets = [{ id: members[0].id(), x: 0, y: 0 }];
    let ring = 0;
    let index = 1;
    while (index < members.length) {
      ring += 1;
      const radius = ring * spacing;
      const capacity = Math.max(6, Math.floor((2 * Math.PI * radius) / spacing));
      const here = members.slice(index, index + capacity).sort(byLabel);
      here.forEach((node, i) => {
        const angle = -Math.PI / 2 + (2 * Math.PI * i) / here.length + (ring % 2) * (Math.PI / here.length);
        offsets.push({ id: node.id(), x: radius * Math.cos(angle), y: radius * Math.sin(angle) });
      });
      index += here.length;
    }
    return { offsets, radius: ring * spacing + spacing * 0.6 };
  });
  // rows of clusters: of the row widths possible, the one that lets the picture fill the container
  const shelves = (rowWidth) => {
    const spots = [];
    let [x, y, rowHeight, widest] = [0, 0, 0, 0];
    for (const group of placed) {
      const size = 2 * group.radius;
      if (x > 0 && x + size > rowWidth) [x, y, rowHeight] = [0, y + rowHeight, 0];
      spots.push({ group, x, y });
      x += size;
      rowHeight = Math.max(rowHeight, size);
      widest = Math.max(widest, x);
    }
    return { spots, scale: Math.min(width / widest, height / (y + rowHeight)) };
  };
  let best = null;
  let rowWidth = 0;
  for (const group of placed) {
    rowWidth += 2 * group.radius;
    const candidate = shelves(rowWidth + 0.5);
    if (!best || candidate.scale > best.scale) best = candidate;
  }
  const positions = {};
  for (const { group, x, y } of best?.spots ?? []) {
    for (const o of group.offsets) positions[o.id] = { x: x + group.radius + o.x, y: y + group.radius + o.y };
  }
  return positions;
}

function layoutOptions(name, cy) {
  const count = cy.nodes().length;
  const chosen = name || automaticLayout(cy);
  const common = { fit: true, padding: PADDING, animate: false };
  if (chosen === "circle") {
    const { radius, base } = circleSizes(cy);
    sizeNodes(cy, base);
    return { ...common, name: "circle", sort: byLabel, radius, avoidOverlap: false };
  }
  const { base } = clusterSizes(cy);
  sizeNodes(cy, base);
  if (chosen === "clusters") {
    const positions = clusterPositions(cy, base * 1.5);
    return { ...common, name: "preset", positions: (node) => positions[node.id()] };
  }
  if (chosen === "grid") return { ...common, name: "grid", sort: byLabel, avoidOverlap: true };
  if (chosen === "cose") {
    return { ...common, name: "cose", randomize: true, nodeRepulsion: () => 9000, idealEdgeLength: () => base * 3,
      numIter: count > SMALL ? 600 : 1000, nodeDimensionsIncludeLabels: count <= SMALL };
  }
  return {
    ...common,
    name: "concentric",
    concentric: (node) => node.data("degree"),
    levelWidth: (nodes) => Math.max(1, nodes.max((n) => n.data("degree")).value / 6),
    minNodeSpacing: base * 0.4,
    avoidOverlap: true,
    sort: byLabel,
  };
}

/**
 * A graph in `container`. `on.node(id)`, `on.edge(id)` and `on.background()` are called when
 * the user picks something (by pointer or keyboard).
 */
export function createGraph(cytoscape, container, announce, on) {
  const cy = cytoscape({
    container,
    elements: [],
    minZoom: 0.05,
    maxZoom: 5,
    boxSelectionEnabled: false,
    autounselectify: true,
    style: style(0, 0),
  });
  let layoutName = "";
  let cursor = null;

  cy.on("tap", "node", (event) => on.node(event.target.id()));
  cy.on("tap", "edge", (event) => on.edge(event.target.id()));
  cy.on("tap", (event) => {
    if (event.target === cy) on.background();
  });

  function ordered() {
    return cy.nodes().sort(byLabel);
  }

  function moveCursor(step) {
    const nodes = ordered();
    if (!nodes.length) return;
    let index = cursor ? nodes.toArray().findIndex((n) => n.id() === cursor) : -1;
    index = index < 0 ? (step > 0 ? 0 : nodes.length - 1) : (index + step + nodes.length) % nodes.length;
    const node = nodes[index];
    cy.nodes().removeClass("cursor");
    node.addClass("cursor");
    cursor = node.id();
    const p = node.renderedPosition();
    if (p.x < 0 || p.y < 0 || p.x > cy.width() || p.y > cy.height()) cy.center(node);
    announce(`${node.data("label")}: ${node.degree()} links. Enter opens it.`);
  }

  container.addEventListener("keydown", (event) => {
    const keys = {
      ArrowRight: () => moveCursor(1),
      ArrowDown: () => moveCursor(1),
      ArrowLeft: () => moveCursor(-1),
      ArrowUp: () => moveCursor(-1),
      Enter: () => cursor && on.node(cursor),
      " ": () => cursor && on.node(cursor),
      "+": () => zoomBy(1.25),
      "=": () => zoomBy(1.25),
      "-": () => zoomBy(0.8),
      0: () => fit(),
      Escape: () => on.background(),
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  function zoomBy(factor) {
    cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  }

  function fit() {
    cy.fit(undefined, 30);
  }

  function show(network, layout) {
    layoutName = layout ?? layoutName;
    const elements = elementsOf(network);
    cy.batch(() => {
      cy.elements().remove();
      cy.add(elements);
      cy.style(style(network.nodes.length, network.edges.length));
    });
    cursor = null;
    cy.layout(layoutOptions(layoutName, cy)).run();
  }

  function relayout(layout) {
    layoutName = layout;
    cy.layout(layoutOptions(layoutName, cy)).run();
  }

  function clearHighlight() {
    cy.elements().removeClass("faded near focus");
  }

  function highlightNode(id, { centre = false } = {}) {
    clearHighlight();
    const node = cy.getElementById(id);
    if (!node.length) return false;
    const around = node.closedNeighborhood();
    cy.elements().not(around).addClass("faded");
    around.addClass("near");
    node.addClass("focus");
    if (centre) {
      // its neighbourhood in view, without zooming in further than is comfortable
      cy.fit(around, 40);
      if (cy.zoom() > 1.5) cy.zoom({ level: 1.5, position: node.position() });
    }
    return true;
  }

  function highlightEdge(id) {
    clearHighlight();
    const edge = cy.getElementById(id);
    if (!edge.length) return false;
    const ends = edge.connectedNodes();
    cy.elements().not(ends.union(edge)).addClass("faded");
    ends.addClass("near");
    edge.addClass("focus");
    return true;
  }

  function markScenario(marks) {
    cy.edges().removeClass("lost fallback");
    for (const [id, mark] of marks) cy.getElementById(id).addClass(mark);
  }

  return {
    cy,
    show,
    relayout,
    fit,
    zoomBy,
    highlightNode,
    highlightEdge,
    clearHighlight,
    markScenario,
    has: (id) => cy.getElementById(id).length > 0,
  };
}
