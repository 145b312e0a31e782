"""Label a large generated CSV end to end and compare with the bare classify_many rate.

    python benchmarks/batch_1m.py [--rows 1000000] [--jobs 2] [--chunk-size 2500]

Writes a CSV of real postings repeated to --rows rows (~2 KB each) in a temp
folder, runs ``officeclass label`` on it in a child process (so its peak RSS is
measured alone), and in the same run measures classify_many(explain=False) on
20,000 of the same postings in one process. Prints rows/s, wall time, peak RSS
and the ratio of the end-to-end rate to the bare rate. Goals (issue 4): 1M rows
in <= 4 minutes on 2 cores, peak RSS <= 400 MB, ratio >= 0.85.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time

from _data import postings, repeat


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--chunk-size", type=int, default=2_500)
    args = ap.parse_args()

    base = postings()
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "postings.csv")
        t = time.perf_counter()
        with open(src, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "title", "description"])
            rows = list(zip(base["title"], base["text"]))
            for i in range(args.rows):
                title, text = rows[i % len(rows)]
                w.writerow([i, title, f"{text} Ref {i:07d}."])  # unique texts, as in a real file (see _data.repeat)
        size = os.path.getsize(src)
        print(f"generated {args.rows:,} rows, {size / 1e9:.2f} GB in {time.perf_counter() - t:.0f} s")

        from officeclass import classify_many

        sample = repeat(base, 20_000)
        classify_many(sample["text"].tolist()[:100], titles=sample["title"].tolist()[:100], explain=False)
        t = time.perf_counter()
        classify_many(sample["text"].tolist(), titles=sample["title"].tolist(), explain=False)
        bare_rate = len(sample) / (time.perf_counter() - t)

        out = os.path.join(tmp, "labelled.csv")
        cmd = [sys.executable, "-m", "officeclass", "label", src, "-o", out, "--text-column", "description", "--title-column", "title",
               "--jobs", str(args.jobs), "--chunk-size", str(args.chunk_size), "-q"]
        t = time.perf_counter()
        subprocess.run(cmd, check=True)
        wall = time.perf_counter() - t
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        with open(out, "rb") as f:
            n_out = sum(1 for _ in f)  # physical lines; embedded newlines make this >= rows + 1

    rate = args.rows / wall
    print(f"officeclass label --jobs {args.jobs}: {args.rows:,} rows in {wall:.1f} s = {rate:,.0f} rows/s (goal: 1M in <= 240 s)")
    print(f"peak RSS of the largest process (main or a worker): {peak_kb / 1024:.0f} MB (goal <= 400 MB)")
    print(f"bare classify_many, 1 process, same postings: {bare_rate:,.0f} rows/s; end-to-end / bare = {rate / bare_rate:.2f} (goal >= 0.85)")
    print(f"output lines: {n_out:,}")


if __name__ == "__main__":
    main()
