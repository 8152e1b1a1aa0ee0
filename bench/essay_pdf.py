"""Time the per-essay PDFs (issue 16) for a synthetic knowledge base of N essays.

Generates the project tree with ``bench/generate.py`` (synthetic, marked
as such), then times, as fresh subprocesses with ``SOURCE_DATE_EPOCH``
set, what ``make latexpdf`` runs for the essays' own PDFs:

1. ``sphinx-build -b latex -D kb_pdf_set=essays`` into its own folder
   (one ``.tex`` per essay; an unchanged ``.tex`` keeps its old time);
2. latexmk on every ``.tex`` newer than its PDF, one after the other (the
   Makefile's loop).

Three runs: fresh (empty output folder), after editing one essay's text,
and after renaming one person (every essay of theirs changes). Each run
reports wall and CPU time and how many PDFs were compiled. Usage:
``python bench/essay_pdf.py --n 100``; raw figures in
``bench/_build/essaypdf/results-N<n>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

try:
    from bench import generate as gen
except ImportError:  # run as ``python bench/essay_pdf.py``
    import generate as gen  # type: ignore[no-redef]

BENCH_DIR = Path(__file__).resolve().parent
SOURCE_DATE_EPOCH = "1600000000"
LATEXMK = ["latexmk", "-pdf", "-dvi-", "-ps-", "-interaction=nonstopmode", "-halt-on-error",
           "-quiet"]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], cwd: Path | None = None) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        sys.exit(f"failed: {' '.join(cmd)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def build_once(srcdir: Path, outdir: Path) -> dict[str, float | int]:
    """Sphinx, then latexmk on the changed essays; times of each and the count."""
    start, cpu = time.perf_counter(), _cpu()
    run([sys.executable, "-m", "sphinx", "-b", "latex", "-q", "-j", "1",
         "-D", "kb_pdf_set=essays", str(srcdir), str(outdir)])
    sphinx_wall, sphinx_cpu = time.perf_counter() - start, _cpu() - cpu
    start, cpu = time.perf_counter(), _cpu()
    compiled = 0
    for tex in sorted(outdir.glob("essay-*.tex")):
        pdf = tex.with_suffix(".pdf")
        if not pdf.exists() or tex.stat().st_mtime_ns > pdf.stat().st_mtime_ns:
            run([*LATEXMK, tex.name], cwd=outdir)
            compiled += 1
    return {"sphinx_wall_s": round(sphinx_wall, 1), "sphinx_cpu_s": round(sphinx_cpu, 1),
            "tex_wall_s": round(time.perf_counter() - start, 1),
            "tex_cpu_s": round(_cpu() - cpu, 1), "compiled": compiled,
            "pdfs": len(list(outdir.glob("essay-*.pdf")))}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="number of essays")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "_build" / "essaypdf")
    args = parser.parse_args(argv)
    if not (shutil.which("xelatex") and shutil.which("latexmk")):
        sys.exit("needs TeX: apt-get install -y --no-install-recommends latexmk "
                 "texlive-xetex texlive-fonts-recommended fonts-freefont-otf")
    srcdir = args.out / f"N{args.n}"
    outdir = args.out / f"N{args.n}-latex-essays"
    corpus = gen.generate(args.n, srcdir)
    shutil.rmtree(outdir, ignore_errors=True)

    runs = {"fresh": build_once(srcdir, outdir)}
    essay = sorted((srcdir / "essays").glob("syn-*.md"))[0]
    essay.write_text(essay.read_text(encoding="utf-8") + "\nOne more sentence.\n", "utf-8")
    runs["one essay edited"] = build_once(srcdir, outdir)
    person = srcdir / "people" / f"{corpus.people[0].pid}.md"
    text = person.read_text(encoding="utf-8")
    person.write_text(text.replace("name: ", "name: Renamed ", 1), encoding="utf-8")
    runs["one person renamed"] = build_once(srcdir, outdir)
    runs["nothing changed"] = build_once(srcdir, outdir)

    results = {"n_essays": args.n, "runs": runs,
               "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
                          f"Python {platform.python_version()}",
               "load_average_1min_at_end": round(os.getloadavg()[0], 1)}
    (args.out / f"results-N{args.n}.json").write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))


def report(r: dict) -> str:
    lines = [f"Per-essay PDFs of {r['n_essays']} synthetic essays ({r['machine']}; load "
             f"average {r['load_average_1min_at_end']} at the end):", "",
             "| run | Sphinx wall / CPU | TeX wall / CPU | PDFs compiled | total wall |",
             "|---|---|---|---|---|"]
    for name, t in r["runs"].items():
        lines.append(f"| {name} | {t['sphinx_wall_s']} s / {t['sphinx_cpu_s']} s "
                     f"| {t['tex_wall_s']} s / {t['tex_cpu_s']} s "
                     f"| {t['compiled']} of {t['pdfs']} "
                     f"| {round(t['sphinx_wall_s'] + t['tex_wall_s'], 1)} s |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
