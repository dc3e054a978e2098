"""Render speed of the CMR PDF: ``python benchmarks/bench_render.py [--runs N]``.

Figures: median ms per 4-copy trilingual document with 5 goods lines (one core, warm
process), PDF size, and a new process's first PDF including imports and font loading.
``--no-reuse`` paints every page in full instead of reusing form XObjects.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST_PDF = """
import time; t0 = time.perf_counter()
import sys; sys.path.insert(0, {root!r})
import renderers, renderers.cmr
renderers.cmr.REUSE_XOBJECTS = {reuse}
from renderers.sample import sample_document
pdf = renderers.render_cmr(sample_document(), languages=["pl", "de", "en"], copies=4)
print((time.perf_counter() - t0) * 1000)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--cold-runs", type=int, default=5)
    ap.add_argument("--no-reuse", action="store_true")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})   # one core

    import renderers.cmr
    from renderers import render_cmr
    from renderers.sample import sample_document

    renderers.cmr.REUSE_XOBJECTS = not args.no_reuse
    doc = sample_document()
    assert len(doc["goods"]) == 5
    pdf = render_cmr(doc, languages=["pl", "de", "en"], copies=4)   # warm caches
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        pdf = render_cmr(doc, languages=["pl", "de", "en"], copies=4)
        times.append((time.perf_counter() - t0) * 1000)

    cold, wall = [], []
    code = FIRST_PDF.format(root=str(ROOT), reuse=not args.no_reuse)
    for _ in range(args.cold_runs):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        wall.append((time.perf_counter() - t0) * 1000)
        cold.append(float(out.stdout.strip()))

    try:
        import _rl_accel  # noqa: F401
        accel = "yes"
    except ImportError:
        accel = "no"
    print(f"reuse XObjects: {not args.no_reuse}   rl_accel: {accel}")
    print(f"render, 4 copies PL/DE/EN, 5 goods lines: median {statistics.median(times):.1f} ms "
          f"(min {min(times):.1f}, max {max(times):.1f}, n={len(times)})")
    print(f"PDF size: {len(pdf) / 1024:.1f} KB")
    print(f"new process, first PDF incl. imports: median {statistics.median(cold):.0f} ms "
          f"(n={len(cold)}: {', '.join(f'{x:.0f}' for x in cold)})")
    print(f"  the same with interpreter start-up (wall clock of the process): median {statistics.median(wall):.0f} ms")


if __name__ == "__main__":
    main()
