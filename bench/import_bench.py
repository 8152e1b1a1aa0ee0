"""Import time for a synthetic 100-post WordPress export (issue 13).

    .venv/bin/python bench/import_bench.py [--posts 100] [--runs 5]

Writes a SYNTHETIC export (invented posts, each with a sign-off, markers and
a five-item reference list, two works shared across posts) into a temporary
copy of the site and times ``python -m tools.kbimport`` on it, a fresh copy
per run; prints each time and the median.

Measured 2026-12-02 on the shared 2-core machine (load average about 9):
median of 7 runs 1.03 s for 100 posts (500 references: 301 new works,
199 reused); the result builds with ``sphinx-build -W -n`` without warnings.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def export(posts: int) -> str:
    items = []
    for n in range(1, posts + 1):
        refs = "".join(
            f"<li>Synthetic{n % 7} A, Example B. Synthetic study {n}-{k}. J Synth Stud. "
            f"{2000 + n % 20}; {k}({n % 4 + 1}): {k}0-{k}9.</li>" for k in range(1, 4))
        refs += ("<li>Shared A. A shared synthetic book. London: Invented Press; 2010.</li>"
                 "<li>Heifetz RA. Leadership without Easy Answers. Cambridge, MA: Harvard "
                 "University Press; 1994.</li>")
        body = (f"<p>Synthetic post {n} says something.<sup>1</sup> More [2,3] and [4-5].</p>"
                f"<h3>Section</h3><p>Another <em>synthetic</em> paragraph [1].</p>"
                f"<p>— Synthetic Author{n % 5}, Fellow, University of Nowhere</p>"
                f"<h3>References</h3><ol>{refs}</ol>")
        items.append(
            f"<item><title>Synthetic post {n}</title><dc:creator>s</dc:creator>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded>"
            f"<wp:post_id>{n}</wp:post_id><wp:post_date>2015-01-01 00:00:00</wp:post_date>"
            f"<wp:post_name>synthetic-post-{n}</wp:post_name><wp:status>publish</wp:status>"
            f"<wp:post_type>post</wp:post_type></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Synthetic</title>'
            + "".join(items) + "</channel></rss>")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ignore = shutil.ignore_patterns("_build", ".venv", ".git", "tests", "bench",
                                    "node_modules", "__pycache__")
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "synthetic-export.xml"
        source.write_text(export(args.posts), encoding="utf-8")
        for run in range(args.runs):
            site = Path(tmp) / f"site{run}"
            shutil.copytree(REPO, site, ignore=ignore)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "tools.kbimport", str(source), "--root",
                            str(site)], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
            print(f"run {run + 1}: {times[-1]:.2f} s")
    print(f"median of {args.runs}: {statistics.median(times):.2f} s for {args.posts} posts")


if __name__ == "__main__":
    main()
