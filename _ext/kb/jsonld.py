"""schema.org JSON-LD: what crawlers and reference managers read of a page.

Every essay page carries a ``ScholarlyArticle`` (headline, authors as
``Person`` with their ORCID as ``@id`` and affiliation, dates, themes as
``about``, cited works as ``citation``, funder and grant, licence,
``isPartOf`` the knowledge base); every person page a ``Person``.

A ``<script type="application/ld+json">`` ends at the first ``</script``
whatever the JSON says, so ``<``, ``>`` and ``&`` are written as JSON
``\\u`` escapes (and U+2028/2029, which old parsers treat as line ends):
no value can end the element or open a comment, and the JSON still reads
the same.
"""

from __future__ import annotations

import json
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from .domain import kb_domain
from .essaymeta import ORCID_URL, Author, EssayMeta, Work, doi_url, essay_meta
from .models import Person
from .website import base_url, page_url, site_builder

_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script(data: dict[str, Any]) -> str:
    """The JSON-LD element, safe inside HTML whatever the values hold."""
    text = json.dumps(data, ensure_ascii=False, indent=1).translate(_SCRIPT_SAFE)
    return f'<script type="application/ld+json">\n{text}\n</script>\n'


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out what is not known (no empty strings, lists or None)."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def person(author: Author) -> dict[str, Any]:
    return _clean({
        "@type": "Person",
        "@id": ORCID_URL + author.orcid if author.orcid else author.page,
        "name": author.name.text,
        "givenName": author.name.given,
        "familyName": author.name.family,
        "url": author.page,
        "jobTitle": author.position,
        "affiliation": [{"@type": "Organization", "name": a} for a in author.affiliations],
    })


def cited_work(item: Work) -> dict[str, Any]:
    kind = {"article": "ScholarlyArticle", "book": "Book", "incollection": "Chapter",
            "inbook": "Chapter", "phdthesis": "Thesis", "mastersthesis": "Thesis",
            "techreport": "Report", "report": "Report"}.get(item.type, "CreativeWork")
    return _clean({
        "@type": kind,
        "@id": doi_url(item.doi) if item.doi else None,
        "name": item.title,
        "author": [{"@type": "Person", "name": n.text} for n in item.authors],
        "datePublished": item.year,
        "isPartOf": {"name": item.container} if item.container else None,
        "publisher": {"@type": "Organization", "name": item.publisher}
                     if item.publisher else None,
        "url": item.url,
    })


def article(meta: EssayMeta) -> dict[str, Any]:
    funding = meta.funding
    funder = ({"@type": "Organization", "name": funding.funder}
              if funding and funding.funder else None)
    grant = (_clean({"@type": "Grant", "identifier": funding.award, "funder": funder})
             if funding and funding.award else None)
    licence = meta.licence
    return _clean({
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "@id": meta.url,
        "url": meta.url,
        "headline": meta.title,
        "name": meta.title,
        "author": [person(a) for a in meta.authors],
        "datePublished": meta.date,
        "dateModified": meta.updated or meta.date,
        "abstract": meta.summary,
        "description": meta.description,
        "about": [_clean({"@type": "Thing", "name": t, "url": u}) for t, u in meta.themes],
        "keywords": list(meta.tags),
        "identifier": doi_url(meta.doi) if meta.doi else None,
        "sameAs": doi_url(meta.doi) if meta.doi else None,
        "citation": [cited_work(w) for w in meta.cited],
        "funder": funder,
        "funding": grant,
        "license": (licence.url or licence.name) if licence else None,
        "isPartOf": _clean({"@type": "WebSite", "name": meta.site, "url": meta.site_url}),
        "publisher": {"@type": "Organization", "name": meta.publisher},
    })


def person_page(app: Sphinx, who: Person) -> dict[str, Any]:
    url = page_url(app, who.docname)
    orcid = ORCID_URL + who.orcid if who.orcid else None
    return _clean({
        "@context": "https://schema.org",
        "@type": "Person",
        "@id": orcid or url,
        "name": who.name,
        "url": url,
        "identifier": orcid,
        "sameAs": [u for u in (orcid, who.url) if u],
    })


def add_jsonld(app: Sphinx, pagename: str, templatename: str,
               context: dict[str, Any], doctree: nodes.document | None) -> None:
    if site_builder(app) is None or doctree is None:
        return
    domain = kb_domain(app.env)
    essay = domain.essays.get(pagename)
    if essay is not None:
        data = article(essay_meta(app, essay))
    else:
        who = next((p for p in domain.people.values() if p.docname == pagename), None)
        if who is None:
            return
        data = person_page(app, who)
    if not base_url(app.config):
        data.pop("@id", None)
    context["metatags"] = context.get("metatags", "") + script(data)


def setup_jsonld(app: Sphinx) -> None:
    app.connect("html-page-context", add_jsonld, priority=450)
