"""The HTML of the linked-data pages, written in one place.

A page is data: a `Page` of `Section`s, each a heading and blocks (paragraphs, fact lists,
item lists, nested sections). The modules that gather a page (`resource_page`,
`ontology_page`) build these structures and never write markup; `render` turns one into a
complete, escaped, accessible HTML document. A new kind of content (a neighbourhood graph,
say) is a new block type and one more branch in `_block`.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from urllib.parse import urlsplit

STYLESHEET = "/static/border21/border21.css"

# The site's pages, in the order every page's header lists them: (path, name).
SITE_PAGES = (
    ("/", "Network explorer"),
    ("/matrix", "Matrix"),
    ("/model", "Data model"),
    ("/ontology", "Ontology"),
    ("/sparql", "SPARQL editor"),
    ("/docs", "API documentation"),
)

# -- inline content ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str
    lang: str | None = None  # set when not English


@dataclass(frozen=True)
class Link:
    text: str
    href: str
    title: str | None = None


@dataclass(frozen=True)
class Code:
    """An identifier or IRI, shown verbatim."""

    text: str


@dataclass(frozen=True)
class Date:
    """A date as `YYYY-MM-DD` (the machine-readable value) shown as `1 January 2020`."""

    iso: str
    text: str


Inline = Text | Link | Code | Date


# -- blocks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    parts: tuple[Inline, ...]
    role: str = ""  # a CSS class: "lead", "iri", "kinds", "note"


@dataclass(frozen=True)
class Fact:
    """One property and its values."""

    term: Inline
    values: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True)
class Facts:
    facts: tuple[Fact, ...]
    role: str = ""


@dataclass(frozen=True)
class Items:
    """A list of items, perhaps the first of more: `total` counts them all."""

    items: tuple[tuple[Inline, ...], ...]
    total: int | None = None
    noun: str = "items"  # what `total` counts, plural

    @property
    def more(self) -> int:
        return max(0, (self.total or len(self.items)) - len(self.items))


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]
    id: str | None = None


@dataclass(frozen=True)
class Subsections:
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Neighbour:
    """A resource linked with the one a page describes, and how."""

    link: Link
    kind: str  # the resource kind (state, instrument, ...), which sets its colour
    relation: str  # how it is linked, as in "takes part in"
    ended: bool = False  # every link with it has ended


@dataclass(frozen=True)
class Neighbourhood:
    """A small picture of a resource and what it is linked with, drawn as SVG (no script)."""

    centre: str
    kind: str
    neighbours: tuple[Neighbour, ...]
    total: int | None = None  # how many neighbours there are, when only some are drawn

    @property
    def more(self) -> int:
        return max(0, (self.total or len(self.neighbours)) - len(self.neighbours))


Block = Paragraph | Facts | Items | Subsections | Neighbourhood


@dataclass(frozen=True)
class Alternate:
    """Another representation of the page's resource."""

    label: str
    media_type: str
    href: str


@dataclass(frozen=True)
class Page:
    title: str
    sections: tuple[Section, ...] = ()
    intro: tuple[Paragraph, ...] = ()
    alternates: tuple[Alternate, ...] = ()


# -- rendering --------------------------------------------------------------------------------


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def safe_href(href: str) -> str | None:
    """The href if following it cannot run anything: a path on this site or an http(s),
    mailto or fragment reference. Data may name any IRI; only these become links."""
    if href.startswith("#") or (href.startswith("/") and not href.startswith("//")):
        return href
    scheme = urlsplit(href).scheme.lower()
    return href if scheme in ("http", "https", "mailto") else None


def _inline(part: Inline) -> str:
    if isinstance(part, Link):
        href = safe_href(part.href)
        if href is None:
            return escape(part.text)
        title = f' title="{escape(part.title)}"' if part.title else ""
        return f'<a href="{escape(href)}"{title}>{escape(part.text)}</a>'
    if isinstance(part, Code):
        return f"<code>{escape(part.text)}</code>"
    if isinstance(part, Date):
        return f'<time datetime="{escape(part.iso)}">{escape(part.text)}</time>'
    if part.lang:
        return f'<span lang="{escape(part.lang)}">{escape(part.text)}</span>'
    return escape(part.text)


def _inlines(parts: tuple[Inline, ...]) -> str:
    return "".join(_inline(part) for part in parts)


def _class(role: str) -> str:
    return f' class="{escape(role)}"' if role else ""


def _block(block: Block, level: int) -> str:
    if isinstance(block, Paragraph):
        return f"<p{_class(block.role)}>{_inlines(block.parts)}</p>"
    if isinstance(block, Facts):
        rows = []
        for fact in block.facts:
            rows.append(f"<dt>{_inline(fact.term)}</dt>")
            rows.extend(f"<dd>{_inlines(value)}</dd>" for value in fact.values)
        return f'<dl class="{escape(" ".join(filter(None, ("facts", block.role))))}">{"".join(rows)}</dl>'
    if isinstance(block, Items):
        items = "".join(f"<li>{_inlines(item)}</li>" for item in block.items)
        out = f"<ul>{items}</ul>"
        if block.more:
            shown, total = len(block.items), block.total or len(block.items)
            out += f'<p class="more">Showing the first {shown} of {total} {escape(block.noun)}.</p>'
        return out
    if isinstance(block, Neighbourhood):
        return _neighbourhood(block)
    return "".join(_section(section, level + 1) for section in block.sections)


def _section(section: Section, level: int) -> str:
    tag = f"h{min(level, 6)}"
    identifier = f' id="{escape(section.id)}"' if section.id else ""
    heading = escape(section.heading)
    body = "".join(_block(block, level) for block in section.blocks)
    return f"<section{identifier}><{tag}>{heading}</{tag}>{body}</section>\n"


def render(page: Page) -> str:
    """The whole HTML document of a page."""
    alternates = "".join(
        f'<link rel="alternate" type="{escape(a.media_type)}" href="{escape(a.href)}">\n' for a in page.alternates
    )
    intro = "".join(_block(paragraph, 1) for paragraph in page.intro)
    sections = "".join(_section(section, 2) for section in page.sections)
    data = _data_section(page)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(page.title)} · border21</title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<link rel="stylesheet" href="{STYLESHEET}">
{alternates}</head>
<body>
{site_header()}
<main>
<h1>{escape(page.title)}</h1>
{intro}
{sections}{data}</main>
</body>
</html>
"""


def _data_section(page: Page) -> str:
    """The row of other representations, and where to ask more."""
    formats = "".join(
        f'<li><a href="{escape(a.href)}" type="{escape(a.media_type)}">{escape(a.label)}</a></li>'
        for a in page.alternates
    )
    view = (
        f'<p id="view-as">View as:</p><ul class="formats" aria-labelledby="view-as">{formats}</ul>\n' if formats else ""
    )
    return f"""<section class="data" aria-labelledby="as-data"><h2 id="as-data">As data</h2>
{view}<p>Ask more in the <a href="/sparql">SPARQL editor</a> or through the
<a href="/docs">API documentation</a>.</p>
</section>
"""


CURRENT = ' aria-current="page"'


def site_header(current: str | None = None) -> str:
    """The header every page opens with: the site's name and its pages, `current` marked."""
    items = "".join(
        f'<li><a href="{escape(path)}"{CURRENT if path == current else ""}>{escape(name)}</a></li>'
        for path, name in SITE_PAGES
    )
    return f"""<header class="site">
<p class="brand"><a href="/">border21</a></p>
<nav aria-label="Site"><ul>{items}</ul></nav>
</header>"""


# -- the neighbourhood picture ----------------------------------------------------------------

# Fill colours by resource kind; the explorer uses the same ones.
KIND_COLOURS = {
    "state": "#1f5fa8",
    "organisation": "#8a5a00",
    "agency": "#0f7b6c",
    "instrument": "#6b3fa0",
    "channel": "#b0355a",
    "function": "#4d6b1f",
    "crime-area": "#4d6b1f",
    "data-category": "#4d6b1f",
}
OTHER_COLOUR = "#5a6473"
KIND_NAMES = {
    "state": "state",
    "organisation": "organisation",
    "agency": "agency",
    "instrument": "legal instrument",
    "channel": "channel",
    "function": "capability",
    "crime-area": "capability",
    "data-category": "capability",
}
WIDTH = 820
LABEL_CHARACTERS = 30


def _shorten(text: str, limit: int = LABEL_CHARACTERS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"


def _fan(count: int) -> list[tuple[float, float, int]]:
    """Where the neighbours go: (x, y) offsets from the centre and the side (-1 left, 1 right).
    Half on each side, on an arc, a row of 24 pixels or more each, so that no two labels (which
    point away from the centre) overlap."""
    right = (count + 1) // 2
    spots = []
    for side, how_many in ((1, right), (-1, count - right)):
        half_height = max(110.0, 12.0 * (how_many - 1))
        for slot in range(how_many):
            y = 0.0 if how_many <= 1 else -half_height + 2 * half_height * slot / (how_many - 1)
            x = 190 * math.cos(math.asin(y / (half_height * 1.12)))
            spots.append((side * x, y, side))
    return spots


def _neighbourhood(block: Neighbourhood) -> str:
    spots = _fan(len(block.neighbours))
    height = int(2 * max([abs(y) for _, y, _ in spots] + [60]) + 80)
    cx, cy = WIDTH / 2, height / 2
    lines: list[str] = []
    nodes: list[str] = []
    for neighbour, (dx, dy, side) in zip(block.neighbours, spots, strict=True):
        x, y = cx + dx, cy + dy
        dash = ' stroke-dasharray="5 4"' if neighbour.ended else ""
        lines.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#9aa4b1" stroke-width="1.5"{dash}/>'
        )
        nodes.append(_neighbour_node(neighbour, x, y, side))
    centre_colour = KIND_COLOURS.get(block.kind, OTHER_COLOUR)
    centre = (
        f'<g><circle cx="{cx:.1f}" cy="{cy:.1f}" r="16" fill="{centre_colour}" stroke="#1d2430" stroke-width="2"/>'
        f'<text x="{cx:.1f}" y="{cy + 34:.1f}" text-anchor="middle" font-size="14" font-weight="700" '
        f'fill="#1d2430" paint-order="stroke" stroke="#fff" stroke-width="4">'
        f"{escape(_shorten(block.centre, 34))}</text></g>"
    )
    title = f"{block.centre} and what it is linked with"
    svg = (
        f'<svg class="neighbourhood" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'style="max-width:{WIDTH}px;height:auto" role="group" aria-label="{escape(title)}" '
        f'font-family="system-ui, sans-serif" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(lines)}{''.join(nodes)}{centre}</svg>"
    )
    return f'<figure style="margin:0">{svg}{_neighbourhood_caption(block)}</figure>'


def _neighbour_node(neighbour: Neighbour, x: float, y: float, side: int) -> str:
    colour = KIND_COLOURS.get(neighbour.kind, OTHER_COLOUR)
    fill = "#fff" if neighbour.ended else colour
    anchor = "start" if side > 0 else "end"
    text = escape(_shorten(neighbour.link.text))
    tooltip = f"{neighbour.link.text}: {neighbour.relation}{' (ended)' if neighbour.ended else ''}"
    body = (
        f"<title>{escape(tooltip)}</title>"
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="{fill}" stroke="{colour}" stroke-width="2.5"/>'
        f'<text x="{x + 13 * side:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" font-size="12.5" fill="#1d2430">'
        f"{text}</text>"
    )
    href = safe_href(neighbour.link.href)
    if href is None:
        return f"<g>{body}</g>"
    return f'<a href="{escape(href)}">{body}</a>'


def _neighbourhood_caption(block: Neighbourhood) -> str:
    kinds = {KIND_NAMES.get(n.kind, "other"): KIND_COLOURS.get(n.kind, OTHER_COLOUR) for n in block.neighbours}
    legend = "".join(
        f'<li style="display:inline-block;margin-right:1.2rem"><svg width="12" height="12" aria-hidden="true">'
        f'<circle cx="6" cy="6" r="5" fill="{colour}"/></svg> {escape(name)}</li>'
        for name, colour in sorted(kinds.items())
    )
    more = f" Showing {len(block.neighbours)} of {block.total}; the lists below name them all." if block.more else ""
    ended = any(n.ended for n in block.neighbours)
    hollow = " A hollow node on a dashed line: every link with it has ended." if ended else ""
    return (
        f"<figcaption>{escape(block.centre)} and the resources it is linked with.{escape(more)}{escape(hollow)}"
        f'<ul class="legend" style="padding:0;margin:.3rem 0">{legend}</ul></figcaption>'
    )
