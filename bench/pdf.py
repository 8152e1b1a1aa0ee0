"""Time the funders' PDFs for a synthetic knowledge base of N essays.

Generates the project tree with ``bench/generate.py`` (synthetic, marked
as such), then times what ``make latexpdf`` runs, as fresh subprocesses:

1. ``python -m sphinx -b latex -j auto`` (read all sources, write one .tex
   for the whole knowledge base and one per theme);
2. latexmk with xelatex on every .tex, one after the other (``make -j1``),
   and again from scratch with one latexmk per CPU in parallel (``make -jN``).

Wall time depends on what else the machine is doing; CPU time (user +
system of all child processes) much less, so both are reported, with the
load average. It then checks the PDFs as the tests do (no "Missing
character", no undefined references, no ``??``, no blank page, every essay
a chapter) and prints a Markdown table. Usage: ``python bench/pdf.py --n 100``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

try:
    from bench import generate as gen
except ImportError:  # run as ``python bench/pdf.py``
    import generate as gen  # type: ignore[no-redef]

BENCH_DIR = Path(__file__).resolve().parent
SOURCE_DATE_EPOCH = "1600000000"
LATEXMKOPTS = "-interaction=nonstopmode -halt-on-error -quiet"
#: What latexmk leaves next to a .tex file.
TEX_OUTPUTS = ("aux", "fdb_latexmk", "fls", "idx", "ilg", "ind", "log", "out", "pdf",
               "toc", "xdv")


@dataclass
class Timing:
    wall_s: float
    cpu_s: float
    stderr: str


def timed(cmd: list[str]) -> Timing:
    """Run ``cmd``; its wall time and the CPU time of it and its children."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n"
                 f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(round(wall, 1), round(cpu, 1), done.stderr)


def clean_tex_outputs(outdir: Path) -> None:
    """Remove what latexmk made, so the next run starts from the .tex files."""
    for tex in outdir.glob("*.tex"):
        for ext in TEX_OUTPUTS:
            tex.with_suffix(f".{ext}").unlink(missing_ok=True)


def check_pdf(outdir: Path, stem: str) -> dict[str, object]:
    from pypdf import PdfReader

    pdf = outdir / f"{stem}.pdf"
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    log = (outdir / f"{stem}.log").read_text(encoding="utf-8", errors="replace")
    tex = (outdir / f"{stem}.tex").read_text(encoding="utf-8")
    return {
        "pdf": pdf.name,
        "essays": len(re.findall(r"^\\chapter\{", tex, flags=re.MULTILINE)),
        "pages": len(pages),
        "size_kb": round(pdf.stat().st_size / 1024),
        "missing_characters": log.count("Missing character"),
        "undefined_references": "There were undefined references" in log,
        "question_marks": sum(page.count("??") for page in pages),
        "blank_pages": sum(1 for page in pages if not page.strip()),
    }


def tex_version() -> str:
    done = subprocess.run(["xelatex", "--version"], capture_output=True, text=True,
                          check=False)
    return done.stdout.splitlines()[0] if done.stdout else "unknown"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="number of essays")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "_build" / "pdf",
                        help="working directory (corpus and build)")
    args = parser.parse_args(argv)
    if not (shutil.which("xelatex") and shutil.which("latexmk") and shutil.which("make")):
        sys.exit("needs make and TeX: apt-get install -y --no-install-recommends latexmk "
                 "texlive-xetex texlive-fonts-recommended fonts-freefont-otf")

    srcdir = args.out / f"N{args.n}"
    outdir = args.out / f"N{args.n}-latex"
    gen.generate(args.n, srcdir)
    shutil.rmtree(outdir, ignore_errors=True)
    jobs = os.cpu_count() or 1
    pdfs = ["make", "-C", str(outdir), "all-pdf", f"LATEXMKOPTS={LATEXMKOPTS}"]

    sphinx = timed([sys.executable, "-m", "sphinx", "-b", "latex", "-j", "auto", "-q",
                    str(srcdir), str(outdir)])
    serial = timed([*pdfs, "-j1"])
    checks = [check_pdf(outdir, tex.stem) for tex in sorted(outdir.glob("*.tex"))]
    clean_tex_outputs(outdir)
    parallel = timed([*pdfs, f"-j{jobs}"])

    results = {
        "n_essays": args.n,
        "sphinx_latex": {"wall_s": sphinx.wall_s, "cpu_s": sphinx.cpu_s},
        "sphinx_warnings": [line for line in sphinx.stderr.splitlines() if "WARNING" in line],
        "latexmk_serial": {"wall_s": serial.wall_s, "cpu_s": serial.cpu_s},
        "latexmk_parallel": {"wall_s": parallel.wall_s, "cpu_s": parallel.cpu_s},
        "parallel_jobs": jobs,
        "pdfs": checks,
        "machine": f"{platform.machine()}, {jobs} CPUs, Python {platform.python_version()}",
        # Other work on the machine slows TeX down: say how busy it was.
        "load_average_1min_at_end": round(os.getloadavg()[0], 1),
        "tex": tex_version(),
    }
    (args.out / f"results-N{args.n}.json").write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))


def report(r: dict) -> str:
    def row(step: str, timing: dict[str, float]) -> str:
        return f"| {step} | {timing['wall_s']} s | {timing['cpu_s']} s |"

    lines = [
        f"PDF build of {r['n_essays']} synthetic essays ({r['machine']}; {r['tex']}; "
        f"load average {r['load_average_1min_at_end']} at the end):",
        "",
        "| step | wall time | CPU time |",
        "|---|---|---|",
        row(f"`sphinx -b latex -j auto` ({len(r['sphinx_warnings'])} warnings)",
            r["sphinx_latex"]),
        row("latexmk, PDFs one after the other (`make -j1 all-pdf`)", r["latexmk_serial"]),
        row(f"latexmk, PDFs in parallel (`make -j{r['parallel_jobs']} all-pdf`)",
            r["latexmk_parallel"]),
        "",
        "| PDF | essays | pages | size | missing chars | undefined refs | ?? | blank pages |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for pdf in r["pdfs"]:
        lines.append(
            f"| {pdf['pdf']} | {pdf['essays']} | {pdf['pages']} | {pdf['size_kb']} kB "
            f"| {pdf['missing_characters']} | {'yes' if pdf['undefined_references'] else 'no'} "
            f"| {pdf['question_marks']} | {pdf['blank_pages']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
