"""The HTML of the linked-data pages, written in one place.

A page is data: a `Page` of `Section`s, each a heading and blocks (paragraphs, fact lists,
item lists, nested sections). The modules that gather a page (`resource_page`,
`ontology_page`) build these structures and never write markup; `render` turns one into a
complete, escaped, accessible HTML document. A new kind of content (a neighbourhood graph,
say) is a new block type and one more branch in `_block`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import urlsplit

STYLESHEET = "/static/border21/border21.css"

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


Block = Paragraph | Facts | Items | Subsections


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
<header class="site">
<p class="brand">border21</p>
<nav aria-label="Site"><ul>
<li><a href="/ontology">Ontology</a></li>
<li><a href="/sparql">SPARQL editor</a></li>
<li><a href="/docs">API documentation</a></li>
</ul></nav>
</header>
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
