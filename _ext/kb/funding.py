"""Funding and licence: set once in ``conf.py``, added to or overridden per essay.

NIHR's "Acknowledging NIHR support" asks every output, blogs included, to
name the funding and carry its disclaimer; re-users need the licence. The
site-wide facts are ``kb_*`` values in ``conf.py`` (funder, award,
acknowledgement, disclaimer, licence); an essay's ``funding:`` replaces
the parts it names, and its ``licence:`` replaces the site's. Nothing is
shown that is not set: a site with no funding configured prints none.

The statement is a block of standard docutils nodes placed at the end of
every essay when it is read, so the web page, the funders' PDFs and any
other builder print the same words; it depends only on the essay and on
these config values, which rebuild every essay when they change.
"""

from __future__ import annotations

from dataclasses import replace

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from .licences import LICENCES, known_licence
from .models import Essay, Funding, Licence

logger = logging.getLogger(__name__)

HEADING = "Funding and licence"


def _value(config: Config, name: str) -> str | None:
    value = config[name]
    return " ".join(value.split()) or None if isinstance(value, str) else None


def site_funding(config: Config) -> Funding | None:
    parts = Funding(_value(config, "kb_funder"), _value(config, "kb_funding_award"),
                    _value(config, "kb_funding_statement"),
                    _value(config, "kb_funding_disclaimer"))
    return parts if any(vars(parts).values()) else None


def site_licence(config: Config) -> Licence | None:
    name = _value(config, "kb_licence")
    if name is None:
        return None
    url = _value(config, "kb_licence_url")
    known = known_licence(name)
    return Licence(known.name, url or known.url) if known else Licence(name, url)


def essay_funding(config: Config, essay: Essay) -> Funding | None:
    """The site's funding with the parts the essay gives replaced.

    An essay that names its own funder replaces the site's funding as a
    whole: the site's award and disclaimer belong to the site's funder.
    """
    site = site_funding(config)
    own = essay.funding
    if own is None or own.funder or site is None:
        return own or site
    return replace(site, **{k: v for k, v in vars(own).items() if v})


def essay_licence(config: Config, essay: Essay) -> Licence | None:
    return essay.licence or site_licence(config)


def funder_line(funding: Funding) -> str:
    """``Funder: NIHR (award 123)``, or ``""`` without a funder."""
    if not funding.funder:
        return ""
    award = f" (award {funding.award})" if funding.award else ""
    return f"Funder: {funding.funder}{award}."


def funding_block(funding: Funding | None, licence: Licence | None) -> nodes.container | None:
    """The statement at the end of an essay; None when there is nothing to say."""
    paras: list[nodes.paragraph] = []
    if funding is not None:
        for text, cls in ((funding.statement, "kb-funding-statement"),
                          (funder_line(funding), "kb-funder"),
                          (funding.disclaimer, "kb-funding-disclaimer")):
            if text:
                paras.append(nodes.paragraph(text, text, classes=[cls]))
    if licence is not None:
        para = nodes.paragraph(classes=["kb-licence"])
        para += nodes.Text("Licence: ")
        if licence.url:
            para += nodes.reference(licence.name, licence.name, refuri=licence.url)
        else:
            para += nodes.Text(licence.name)
        para += nodes.Text(".")
        paras.append(para)
    if not paras:
        return None
    block = nodes.container(classes=["kb-funding"])
    block += nodes.rubric(HEADING, HEADING, classes=["kb-funding-title"])
    block.extend(paras)
    return block


def check_config(app: Sphinx, config: Config) -> None:
    """An unknown licence name without a URL: one clear message about conf.py."""
    name = _value(config, "kb_licence")
    url = _value(config, "kb_licence_url")
    if name and not known_licence(name) and not url:
        logger.warning("conf.py: kb_licence %r is not one of %s; set kb_licence_url to "
                       "its web address too", name, ", ".join(LICENCES),
                       type="kb", subtype="config")
    if url and not url.startswith(("https://", "http://")):
        logger.warning("conf.py: kb_licence_url must start with https://; got %r", url,
                       type="kb", subtype="config")
