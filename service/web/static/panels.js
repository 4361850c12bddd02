// The side panel's content: an actor's facts and links, why two actors are linked, and what a
// scenario changes. Built from the REST facade's answers; every text goes in as text.

import { formatDate, h, pageOf, period, resourceLink } from "./common.js";
import { edgeId } from "./graph.js";

const KIND_NAMES = { state: "state", organisation: "international organisation", agency: "agency" };

const kindTag = (kind) => h("span", { class: `kind-tag ${kind}` }, kind);

function sources(list) {
  if (!list?.length) return null;
  return h(
    "span",
    { class: "sources" },
    " · source ",
    list.map((source, i) => [i ? ", " : "", sourceLink(source)]),
  );
}

function sourceLink(source) {
  const safe = /^https?:\/\//.test(source);
  const text = source.replace(/^https?:\/\//, "").slice(0, 60);
  return safe ? h("a", { href: source, rel: "noopener" }, text) : text;
}

function recordLink(support, text) {
  const key = support.id.split("/id/")[1];
  return key ? h("a", { href: pageOf(key) }, text) : text;
}

/** One participation or access a link rests on, and what it follows from. */
function supportItem(support) {
  const what = support.kind === "participation" ? "takes part in" : "has access to";
  const mode = support.mode ? ` as ${support.mode.label}` : "";
  return h(
    "li",
    { class: "record" },
    resourceLink(support.actor),
    ` ${what} `,
    recordLink(support, support.basis.label),
    mode,
    `, ${period(support.start, support.end, support.start_confirmed_only)}`,
    sources(support.sources),
    support.derived_from?.length
      ? h("ul", {}, h("li", {}, "following from:"), support.derived_from.map(supportItem))
      : null,
  );
}

/** Why two actors are linked: each instrument or channel, its links and their records. */
export function edgePanel({ edge, at, capability, outcomes, ways, actions }) {
  const count = edge.bases.length;
  const content = [
    h("h2", {}, edge.a.label, " – ", edge.b.label),
    h(
      "p",
      {},
      `Linked on ${formatDate(at)} through ${count} ${count === 1 ? "instrument or channel" : "instruments and channels"}`,
      capability ? ` covering ${capability.label}` : "",
      ", the one that applies first listed first.",
    ),
    h(
      "p",
      { class: "actions" },
      h("button", { type: "button", class: "link", onclick: () => actions.openNode(edge.a.key) }, edge.a.label),
      h("button", { type: "button", class: "link", onclick: () => actions.openNode(edge.b.key) }, edge.b.label),
    ),
  ];
  if (outcomes?.length) content.push(outcomesBlock(outcomes, { actions, withPair: false }));
  edge.bases.forEach((basis, index) => {
    content.push(
      h(
        "section",
        { class: `basis ${basis.kind}` },
        h("h3", {}, resourceLink(basis.basis), kindTag(basis.kind)),
        index === 0 && capability?.type === "function"
          ? h("p", { class: "help" }, `Applies first for ${capability.label}.`)
          : null,
        basis.links.map((link) =>
          h(
            "div",
            { class: "link-record" },
            h(
              "p",
              {},
              recordLink(link, "Linked"),
              ` ${period(link.start, link.end, link.start_confirmed_only)}`,
              link.lifted ? " (stands for the links between their agencies)" : "",
              ", because:",
            ),
            h("ul", {}, link.explanation.map(supportItem)),
          ),
        ),
      ),
    );
  });
  if (ways) content.push(waysBlock(ways));
  return content;
}

/** The ways one actor can obtain a function from another (GET /api/v1/paths). */
function waysBlock(paths) {
  const items = paths.paths.map((path) => {
    const steps = path.steps.map((step) => `${step.way.basis.label}`).join(", then ");
    const via = path.intermediaries.length ? ` via ${path.intermediaries.map((i) => i.label).join(", ")}` : "";
    const status = path.kind === "direct" ? (path.applies ? "applies" : "fallback") : "through another actor";
    return h("li", {}, h("strong", {}, `${path.rank}. `), steps, via, ` (${status})`);
  });
  return h(
    "section",
    { class: "ways" },
    h("h3", {}, `How ${paths.from.label} can obtain ${paths.function.label} from ${paths.to.label}`),
    items.length ? h("ol", { class: "plain" }, items) : h("p", {}, "No way on this date."),
  );
}

/** An actor: its facts, who it is linked with on the date, its participations and accesses. */
function namesOf(names, shown = 4) {
  const more = names.length - shown;
  return more > 0 ? `${names.slice(0, shown).join(", ")} and ${more} more` : names.join(", ");
}

export function nodePanel({ node, actor, detail, edges, at, actions, short = (ref) => ref.label }) {
  const key = node.key;
  const facts = [
    ["Kind", KIND_NAMES[node.type] ?? node.type],
    node.iso_code ? ["ISO code", node.iso_code] : null,
    actor?.classes?.length ? ["Classes", actor.classes.map((c) => c.label).join(", ")] : null,
    actor?.part_of?.length ? ["Part of", actor.part_of.map((p, i) => [i ? ", " : "", resourceLink(p)])] : null,
    ["Linked with", `${node.degree} on ${formatDate(at)}`],
  ].filter(Boolean);
  const partners = edges
    .map((edge) => ({ edge, other: edge.a.key === key ? edge.b : edge.a }))
    .sort((x, y) => x.other.label.localeCompare(y.other.label));
  const content = [
    h("h2", {}, node.label, kindTag(node.type)),
    h(
      "dl",
      { class: "facts" },
      facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]),
    ),
    h(
      "p",
      { class: "actions" },
      h("a", { href: pageOf(key) }, "Its page"),
      h("button", { type: "button", class: "link", onclick: () => actions.centre(key) }, "Centre the graph on it"),
      h("button", { type: "button", class: "link", onclick: () => actions.onlyLinks(key) }, "Only its links"),
    ),
    h("h3", {}, `Linked with (${partners.length})`),
    partners.length
      ? h(
          "ul",
          {},
          partners.map(({ edge, other }) =>
            h(
              "li",
              {},
              h(
                "button",
                {
                  type: "button",
                  class: "link",
                  onclick: () => actions.openEdge(edgeId(edge.a.key, edge.b.key)),
                  "aria-label": `Why ${node.label} and ${other.label} are linked`,
                },
                other.label,
              ),
              `: ${namesOf(edge.bases.map((b) => short(b.basis)))}`,
            ),
          ),
        )
      : h("p", {}, "None with these filters."),
  ];
  if (detail) content.push(...recordsBlock(detail, at));
  return content;
}

function recordsBlock(detail, at) {
  const holding = detail.records.filter((r) => r.holds);
  const other = detail.records.filter((r) => !r.holds);
  const item = (r) =>
    h(
      "li",
      { class: r.holds ? "record" : "record ended" },
      r.kind === "participation" ? "In " : "Access to ",
      resourceLink(r.basis),
      r.mode ? ` as ${r.mode.label}` : "",
      r.derived ? " (through membership)" : "",
      `, ${period(r.start, r.end)}`,
      sources(r.sources),
    );
  const blocks = [h("h3", {}, `Participations and accesses on ${formatDate(at)} (${holding.length})`)];
  blocks.push(holding.length ? h("ul", {}, holding.map(item)) : h("p", {}, "None."));
  if (other.length) {
    blocks.push(h("details", {}, h("summary", {}, `Before or after that date (${other.length})`), h("ul", {}, other.map(item))));
  }
  if (detail.sources?.length) {
    blocks.push(h("h3", {}, "Sources"), h("ul", {}, detail.sources.map((s) => h("li", {}, sourceLink(s)))));
  }
  return blocks;
}

/** What a pair loses and falls back on, per function. */
export function outcomeText(outcome) {
  const lost = outcome.lost.map((x) => x.label).join(", ");
  if (outcome.fallback) return `${outcome.function.label}: loses ${lost}; falls back on ${outcome.fallback.basis.label}`;
  if (outcome.after.applies.length) {
    return `${outcome.function.label}: loses ${lost}; still has ${outcome.after.applies[0].basis.label}`;
  }
  return `${outcome.function.label}: loses ${lost}; nothing left`;
}

export function outcomeMark(outcomes) {
  const losing = outcomes.filter((o) => o.lost.length);
  if (!losing.length) return null;
  return losing.every((o) => o.fallback || o.after.applies.length) ? "fallback" : "lost";
}

function outcomesBlock(outcomes, { actions, withPair }) {
  return h(
    "ul",
    { class: "outcomes plain" },
    outcomes.map((o) => {
      const mark = outcomeMark([o]) ?? "kept";
      return h(
        "li",
        { class: `outcome ${mark}` },
        withPair
          ? [
              h(
                "button",
                { type: "button", class: "link", onclick: () => actions.openEdge(edgeId(o.a.key, o.b.key)) },
                `${o.a.label} – ${o.b.label}`,
              ),
              ": ",
            ]
          : "Scenario: ",
        o.lost.length ? outcomeText(o) : `${o.function.label}: gains ${o.gained.map((x) => x.label).join(", ")}`,
      );
    }),
  );
}

/** The scenario's answer: a summary, then each pair's outcome, fallback or nothing left. */
export function scenarioPanel(result, { actions, shownAt }) {
  const losing = result.outcomes.filter((o) => o.lost.length);
  const withFallback = losing.filter((o) => o.fallback || o.after.applies.length);
  const pairs = new Set(losing.map((o) => edgeId(o.a.key, o.b.key)));
  const summary =
    `${pairs.size} ${pairs.size === 1 ? "pair loses" : "pairs lose"} something on ${formatDate(result.request.at)}: ` +
    `${withFallback.length} of ${losing.length} outcomes have a fallback.`;
  const content = [
    h("h3", {}, result.request.name || "Scenario"),
    h("p", {}, summary),
    h("p", { class: "actions" }, h("a", { href: `/?scenario=${encodeURIComponent(result.id)}` }, "Link to this scenario")),
  ];
  if (shownAt !== result.request.at) {
    content.push(
      h("p", { class: "help" }, `The graph shows ${formatDate(shownAt)}; lost links are marked on the scenario's date.`),
    );
  }
  content.push(result.outcomes.length ? outcomesBlock(result.outcomes, { actions, withPair: true }) : h("p", {}, "Nothing changes."));
  return content;
}
