"""CITATION.cff and .zenodo.json for the whole knowledge base (issue 16).

``tools/citation_meta.py`` run on a synthetic root; CITATION.cff checked by
cffconvert (the Citation File Format's own validator), .zenodo.json read
back as JSON with the fields Zenodo's GitHub integration uses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from cffconvert import Citation

from conftest import REPO, copy_root

TOOL = REPO / "tools" / "citation_meta.py"
HOSTILE_NAME = "Ann \"#1\": O'Neil {x} </script>"


def run(src: Path, out: Path) -> tuple[dict, dict]:
    done = subprocess.run([sys.executable, str(TOOL), "--srcdir", str(src), "--outdir",
                           str(out)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    cff = (out / "CITATION.cff").read_text(encoding="utf-8")
    Citation(cff).validate()  # raises on anything the schema rejects
    return yaml.safe_load(cff), json.loads((out / ".zenodo.json").read_text(encoding="utf-8"))


def test_generated_from_conf_and_people(tmp_path):
    cff, zenodo = run(copy_root("scholar", tmp_path / "src"), tmp_path)
    assert cff["cff-version"] == "1.2.0"
    assert cff["title"] == zenodo["title"] == "Test Knowledge Base"
    assert cff["license"] == "CC-BY-4.0" and zenodo["license"] == "cc-by-4.0"
    assert cff["url"] == "https://kb.example.org/sub/path/"
    assert cff["authors"][0] == {"family-names": "O'Brien", "given-names": "Zoë"}
    alice = next(a for a in cff["authors"] if a.get("family-names") == "Smith")
    assert alice == {"family-names": "Smith", "given-names": "Alice",
                     "orcid": "https://orcid.org/0000-0002-1825-0097",
                     "affiliation": "Test University"}
    assert {"name": "Smith, Alice", "orcid": "0000-0002-1825-0097",
            "affiliation": "Test University"} in zenodo["creators"]
    assert zenodo["upload_type"] == "publication"
    assert "Funder: Synthetic Research Council (award SRC-0000-TEST)." in zenodo["notes"]
    assert cff["keywords"] == zenodo["keywords"] == ["Alpha Theme", "Beta & <Gamma> Theme"]


def test_nothing_invented(tmp_path):
    cff, zenodo = run(copy_root("scholar", tmp_path / "src"), tmp_path)
    for key in ("date-released", "version", "doi"):
        assert key not in cff
    assert "publication_date" not in zenodo and "version" not in zenodo


def test_hostile_name_stays_text(tmp_path):
    src = copy_root("scholar", tmp_path / "src")
    (src / "people" / "alice-smith.md").write_text(
        f"---\nname: '{HOSTILE_NAME.replace(chr(39), chr(39) * 2)}'\n---\n", encoding="utf-8")
    cff, zenodo = run(src, tmp_path)
    names = [a.get("given-names", "") + " " + a.get("family-names", a.get("name", ""))
             for a in cff["authors"]]
    assert any("</script>" in n and '"#1":' in n for n in names)
    assert any("</script>" in c["name"] for c in zenodo["creators"])


def test_committed_citation_file_is_valid():
    """The repository's own CITATION.cff (written by 'make citation-meta') validates."""
    Citation((REPO / "CITATION.cff").read_text(encoding="utf-8")).validate()
    assert json.loads((REPO / ".zenodo.json").read_text(encoding="utf-8"))["title"]
