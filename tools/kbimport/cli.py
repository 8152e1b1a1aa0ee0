"""``make import SOURCE=<path>`` / ``python -m tools.kbimport <path>``: run and report.

Everything is read and converted first; files are written only when no
input was bad, each one atomically (a temporary file renamed over it), so
a failed import leaves the repository as it was.  Exit status: 0 done
(even with items to check), 1 bad input (nothing written), 2 usage.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import ROOT
from .bibstore import BibError, BibStore
from .content import Context, drop_furniture, soup, split_parts, to_myst
from .essay import essay_text, front_matter, person_text, theme_text
from .markers import role
from .people import Author, Site, parse_signoff
from .refparse import parse_reference
from .sources import Post, Skipped, SourceError, read


@dataclass
class Result:
    """What an import would write, and what it has to tell."""

    files: dict[Path, str] = field(default_factory=dict)
    imported: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    new_people: list[str] = field(default_factory=list)
    new_themes: list[str] = field(default_factory=list)
    new_works: list[str] = field(default_factory=list)
    reused_works: int = 0


def plan(source: Path, root: Path, *, force: bool = False) -> Result:
    """Read ``source`` and work out every file to write (nothing is written)."""
    posts, skipped = read(source)
    site = Site.load(root)
    bib = BibStore.load(root / "refs.bib")
    result = Result(skipped=list(skipped))
    slugs: set[str] = set()
    for post in posts:
        marks = site.mark(), bib.mark()
        if not _import_post(post, root, site, bib, result, slugs, force=force):
            # Not imported (skipped, or already there): its works and people are not added.
            site.reset(marks[0])
            bib.reset(marks[1])
    for pid, name in site.new_people.items():
        result.files[root / "people" / f"{pid}.md"] = person_text(name)
        result.new_people.append(f"people/{pid}.md ({name})")
        if pid in site.similar:
            others = ", ".join(f"people/{other}.md" for other in site.similar[pid])
            result.checks.append(f"people/{pid}.md: a new page for {name}; is this {others}? "
                                 "If so, use that id in the essays and delete the new page")
    for slug, (short, lead) in site.new_themes.items():
        result.files[root / "themes" / f"{slug}.md"] = theme_text(short, lead)
        result.new_themes.append(f"themes/{slug}.md ({short})")
        result.checks.append(f"themes/{slug}.md: a new theme named only '{short}' by a role; "
                             "write its full title")
    bib_text = bib.text(source.name)
    if bib_text != bib.original:
        result.files[root / "refs.bib"] = bib_text
    return result


def _authors(post: Post, signoff: str | None, site: Site) -> list[Author]:
    if signoff:
        authors = parse_signoff(signoff, site)
        if authors:
            return authors
    return [Author(name) for name in post.creators]


def _import_post(post: Post, root: Path, site: Site, bib: BibStore, result: Result,
                 slugs: set[str], *, force: bool) -> bool:
    """Work out one essay; False when it is not to be written."""
    where = post.where
    if post.slug in slugs:
        result.skipped.append(Skipped(where, f"a second post with the slug '{post.slug}' "
                                             "in this import"))
        return False
    slugs.add(post.slug)
    body = soup(post.body_html)
    embeds = drop_furniture(body)
    parts = split_parts(body)
    authors = _authors(post, parts.signoff, site)
    if not authors:
        result.skipped.append(Skipped(where, "no author: no sign-off line ('— Name, "
                                             "Position, ...') and no author in the source"))
        return False
    path = root / "essays" / f"{post.slug}.md"
    checks: list[str] = []
    # References: one key per number, reusing works already in refs.bib.
    keys: dict[int, str] = {}
    new_before = len(bib.added)
    for number, text in sorted(parts.references.items()):
        ref = parse_reference(text)
        keys[number] = bib.key_for(ref)[0]
        if ref.verbatim:
            checks.append(f"reference {number} could not be read; kept as written in "
                          f"refs.bib as '{keys[number]}': {text}")
        elif not ref.exact:
            checks.append(f"reference {number} is printed in the house style as: {ref.printed}")
    new_works = [entry.split("{", 1)[1].split(",", 1)[0] for entry in bib.added[new_before:]]
    reused = sum(1 for key in set(keys.values()) if key not in new_works)

    def cite(numbers: list[int]) -> str | None:
        if not numbers or any(n not in keys for n in numbers):
            return None
        return role([keys[n] for n in numbers])

    context = Context(cite=cite, base_url=post.base_url)
    titles = [(t.title, t.slug) for t in site.themes]
    text = to_myst(parts.body, context, titles)
    checks += context.notes
    checks += [f"an embedded video or frame ({src}) was left out; to show a video, use the "
               "{video} directive" for src in embeds]
    checks += [f"the shortcode {code} was left out" for code in post.dropped]
    checks += _numbering_checks(context.markers, keys)
    content = essay_text(_front_matter(post, authors, site, context.themes, checks), text)
    rel = path.relative_to(root).as_posix()
    if path.exists():
        old = path.read_text(encoding="utf-8", errors="replace")
        if old == content:
            result.unchanged.append(f"{rel} (from {where}): already imported, unchanged")
            return False
        if not force:
            result.skipped.append(Skipped(where, f"{rel} exists and differs; kept (use "
                                                 "--force, or FORCE=1 with make, to replace)"))
            return False
    result.files[path] = content
    result.imported.append(f"{rel}  '{post.title}'  ({len(keys)} references)")
    result.checks += [f"{rel}: {check}" for check in checks]
    result.new_works += new_works
    result.reused_works += reused
    result.images += context.images
    return True


def _numbering_checks(cited: list[list[int]], keys: dict[int, str]) -> list[str]:
    """Where the numbers readers see would differ from the blog's."""
    checks = []
    order: list[int] = []
    for numbers in cited:
        order += [n for n in numbers if n not in order]
    if order and order != sorted(order):
        checks.append("the blog does not number its references in the order they are first "
                      f"cited ({' '.join(map(str, order))}); the site numbers them by first "
                      "citation, so the numbers readers see change")
    uncited = [n for n in sorted(keys) if n not in order]
    if uncited:
        checks.append(f"reference(s) {', '.join(map(str, uncited))} never cited in the text: "
                      "not shown in the essay's list; cite them or leave them out")
    if not keys and cited:
        checks.append("markers but no numbered reference list found")
    return checks


def _front_matter(post: Post, authors: list[Author], site: Site, linked: list[str],
                  checks: list[str]) -> str:
    """Title, date, authors (people matched or created), themes and tags."""
    themes: list[str] = []
    tags: list[str] = []
    for label in post.categories:
        theme = site.theme(label)
        if theme:
            themes.append(theme.slug)
        elif label.lower() != "uncategorized":
            tags.append(label)
    tags += [t for t in post.tags if t not in tags]
    if not themes and linked:
        themes = list(linked)
        checks.append(f"themes taken from the text's theme links: {', '.join(themes)}")
    entries = []
    for author in authors:
        entry: dict = {"id": site.person(author.name)}
        if author.position:
            entry["position"] = author.position
        if author.affiliations:
            entry["affiliations"] = author.affiliations
        if author.roles:
            entry["roles"] = [site.role(r, entry["id"]) for r in author.roles]
        entries.append(entry)
    return front_matter(post.title, post.date, entries, list(dict.fromkeys(themes)),
                        list(dict.fromkeys(tags)))


def write(files: dict[Path, str]) -> None:
    """Each file replaced atomically (temporary file in the same folder, renamed)."""
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def report(result: Result, out=None) -> None:
    out = out or sys.stdout
    def section(title: str, lines: list[str]) -> None:
        if lines:
            print(f"{title} ({len(lines)}):", file=out)
            for line in lines:
                print(f"  {line}", file=out)

    section("Imported", result.imported)
    section("Already imported", result.unchanged)
    section("Skipped", [f"{s.where}: {s.reason}" for s in result.skipped])
    section("New people", result.new_people)
    section("New themes", result.new_themes)
    section("New works in refs.bib", result.new_works)
    if result.reused_works:
        print(f"Works already in refs.bib, reused: {result.reused_works}", file=out)
    section("Check", result.checks)
    section("Images not downloaded (they stay on the blog's server; copy them into the "
            "repository to keep them)", list(dict.fromkeys(result.images)))
    if not (result.imported or result.unchanged):
        print("Nothing imported.", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make import SOURCE=", description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="WordPress export (.xml), saved page "
                                                  "(.txt or .html), or a folder of them")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing essay with the same slug")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the knowledge base to import into (default: this checkout)")
    args = parser.parse_args(argv)
    try:
        result = plan(args.source, args.root, force=args.force)
    except (SourceError, BibError) as err:
        for line in str(err).splitlines():
            print(f"error: {line}", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 1
    except RecursionError:
        print(f"error: {args.source}: a post is nested too deeply to be read (lists, quotes "
              "or boxes inside each other); simplify it on the blog", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001  (one line, never a traceback, nothing written)
        print(f"error: {args.source}: could not be imported ({type(err).__name__}: {err}); "
              "please report this with the file", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 1
    write(result.files)
    report(result)
    return 0
