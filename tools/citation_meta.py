"""Write CITATION.cff and .zenodo.json for the whole knowledge base.

``make citation-meta`` (or ``python tools/citation_meta.py``): GitHub shows
"Cite this repository" from CITATION.cff, and Zenodo's GitHub integration
archives each release, with a DOI, using the metadata in .zenodo.json.
Both are made from the facts the site already holds, so they never
disagree with it:

* title, publisher and licence from ``conf.py`` (``project``, ``author``,
  ``kb_licence``/``kb_licence_url``), the address from ``html_baseurl``
  (``KB_BASE_URL``) unless it is the placeholder, funding from the
  ``kb_funder``/``kb_funding_*`` values;
* authors from the pages in ``people/`` (name, ORCID), each with the
  affiliations of their most recent essay; keywords from the themes.

No date, version or DOI is invented: a release's version and date are
Zenodo's, and the knowledge base's DOI, once Zenodo gives one, goes in
``conf.py`` as ``kb_doi``.
"""

from __future__ import annotations

import argparse
import json
import runpy
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

from kb.essaymeta import split_name  # noqa: E402
from kb.frontmatter import FrontMatterError, parse, split  # noqa: E402
from kb.licences import known_licence, spdx_id  # noqa: E402
from kb.models import Essay, Licence, Person  # noqa: E402
from kb.schema import to_essay, to_person, to_theme  # noqa: E402

PLACEHOLDER_HOSTS = ("example.org", "example.com")


def _read(folder: Path, convert: Any) -> list[Any]:
    records = []
    for path in sorted(folder.glob("*.md")):
        if path.stem == "index":
            continue
        try:
            yaml_text, _ = split(path.read_text(encoding="utf-8"))
            if yaml_text is None:
                continue
            record, _problems = convert(f"{folder.name}/{path.stem}", parse(yaml_text))
        except (FrontMatterError, OSError, UnicodeDecodeError) as err:
            print(f"{path}: skipped ({err}); 'make html' says what to fix", file=sys.stderr)
            continue
        if record is not None:
            records.append(record)
    return records


def _text(conf: dict[str, Any], name: str) -> str:
    value = conf.get(name)
    return " ".join(value.split()) if isinstance(value, str) else ""


def gather(srcdir: Path) -> dict[str, Any]:
    """Everything both files say, from conf.py and the pages."""
    conf = runpy.run_path(str(srcdir / "conf.py"))
    people: list[Person] = _read(srcdir / "people", to_person)
    essays: list[Essay] = _read(srcdir / "essays", to_essay)
    themes = _read(srcdir / "themes", to_theme)
    newest_first = sorted(essays, key=lambda e: e.date or "", reverse=True)
    affiliations: dict[str, tuple[str, ...]] = {}
    for essay in newest_first:
        for author in essay.authors:
            if author.affiliations and author.person not in affiliations:
                affiliations[author.person] = author.affiliations
    base = _text(conf, "html_baseurl")
    if urlparse(base).hostname in PLACEHOLDER_HOSTS:
        base = ""
    licence: Licence | None = None
    if _text(conf, "kb_licence"):
        known = known_licence(_text(conf, "kb_licence"))
        licence = Licence(known.name if known else _text(conf, "kb_licence"),
                          _text(conf, "kb_licence_url") or (known.url if known else None))
    return {
        "title": _text(conf, "project"), "publisher": _text(conf, "author"),
        "url": base, "licence": licence, "doi": _text(conf, "kb_doi"),
        "funder": _text(conf, "kb_funder"), "award": _text(conf, "kb_funding_award"),
        "statement": _text(conf, "kb_funding_statement"),
        "people": sorted(people, key=lambda p: (split_name(p.name).family.casefold(), p.id)),
        "affiliations": affiliations,
        "keywords": [t.title for t in sorted(themes, key=lambda t: t.slug)],
    }


def citation_cff(facts: dict[str, Any]) -> str:
    authors = []
    for person in facts["people"]:
        name = split_name(person.name)
        author: dict[str, Any] = ({"family-names": name.family, "given-names": name.given}
                                  if name.given else {"name": name.text})
        if person.orcid:
            author["orcid"] = f"https://orcid.org/{person.orcid}"
        if facts["affiliations"].get(person.id):
            author["affiliation"] = "; ".join(facts["affiliations"][person.id])
        authors.append(author)
    data: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": "If you use or cite this knowledge base, please cite it as below.",
        "type": "dataset",
        "title": facts["title"],
        "authors": authors or [{"name": facts["publisher"] or facts["title"]}],
    }
    if facts["url"]:
        data["url"] = facts["url"]
    if facts["doi"]:
        data["doi"] = facts["doi"]
    licence = facts["licence"]
    if licence is not None and spdx_id(licence):
        data["license"] = spdx_id(licence)
    elif licence is not None and licence.url:
        data["license-url"] = licence.url
    if facts["keywords"]:
        data["keywords"] = facts["keywords"]
    header = ("# Generated by 'make citation-meta' from conf.py and people/: "
              "edit those, not this file.\n")
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def zenodo_json(facts: dict[str, Any]) -> str:
    creators = []
    for person in facts["people"]:
        name = split_name(person.name)
        creator: dict[str, Any] = {"name": f"{name.family}, {name.given}" if name.given
                                   else name.text}
        if person.orcid:
            creator["orcid"] = person.orcid
        if facts["affiliations"].get(person.id):
            creator["affiliation"] = "; ".join(facts["affiliations"][person.id])
        creators.append(creator)
    description = f"{facts['title']}: essays and their references"
    if facts["url"]:
        description += f", as published at {facts['url']}"
    data: dict[str, Any] = {
        "title": facts["title"],
        "upload_type": "publication",
        "publication_type": "other",
        "description": description + ".",
        "creators": creators or [{"name": facts["publisher"] or facts["title"]}],
    }
    licence = facts["licence"]
    if licence is not None and spdx_id(licence):
        data["license"] = spdx_id(licence).lower()
    if facts["keywords"]:
        data["keywords"] = facts["keywords"]
    notes = [facts["statement"]] if facts["statement"] else []
    if facts["funder"]:
        award = f" (award {facts['award']})" if facts["award"] else ""
        notes.append(f"Funder: {facts['funder']}{award}.")
    if notes:
        data["notes"] = " ".join(notes)
    if facts["url"]:
        data["related_identifiers"] = [{"identifier": facts["url"], "relation": "isIdenticalTo",
                                        "scheme": "url"}]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--srcdir", type=Path, default=ROOT, help="the knowledge base")
    parser.add_argument("--outdir", type=Path, default=None,
                        help="where to write (default: the knowledge base's folder)")
    args = parser.parse_args(argv)
    facts = gather(args.srcdir.resolve())
    out = args.outdir or args.srcdir
    (out / "CITATION.cff").write_text(citation_cff(facts), encoding="utf-8")
    (out / ".zenodo.json").write_text(zenodo_json(facts), encoding="utf-8")
    print(f"wrote {out / 'CITATION.cff'} and {out / '.zenodo.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
