"""Label a large generated CSV end to end and compare with the bare classify_many rate.

    python benchmarks/batch_1m.py [--rows 1000000] [--jobs 2] [--chunk-size 2500]

Writes a CSV of real postings repeated to --rows rows (~2 KB each, each made
unique) in a temp folder, runs ``officeclass label`` on it in a child process
(its memory read from /proc: the largest process's peak, and the main process
and its workers together, as PSS and as summed RSS), and in the same run measures classify_many(explain=False) on
20,000 of the same postings in one process. Prints rows/s, wall time, peak RSS
and the ratio of the end-to-end rate to the bare rate. Goals (issue 12): 1M rows
in <= 300 s on 2 cores, peak RSS <= 400 MB, ratio >= 0.85.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import threading
import time

from _data import postings, repeat


def _tree_memory_mb(root: int) -> tuple[float, float, float]:
    """Over ``root`` and its descendants, from /proc: the largest peak RSS of one process, and the
    current RSS and PSS summed (PSS counts a page shared by n processes, e.g. NumPy's code, as 1/n).

    A process's peak (VmHWM) restarts when it execs, so the benchmark's own
    memory, which a child shares until then, is not counted (getrusage is).
    """
    children: dict[int, list[int]] = {}
    mem: dict[int, tuple[int, int, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            with open(f"/proc/{entry}/smaps_rollup") as f:
                pss = next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
            mem[int(entry)] = (int(fields["VmHWM"].split()[0]), int(fields["VmRSS"].split()[0]), pss)
        except (OSError, ValueError, IndexError, KeyError, StopIteration):
            continue
        children.setdefault(ppid, []).append(int(entry))
    peak = rss = pss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        hwm, r, p = mem.get(pid, (0, 0, 0))
        peak, rss, pss = max(peak, hwm), rss + r, pss + p
        todo.extend(children.get(pid, []))
    return peak / 1024, rss / 1024, pss / 1024


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
        proc = subprocess.Popen(cmd)
        peak_one = peak_rss = peak_pss = 0.0
        if os.path.isdir("/proc"):

            def sample() -> None:
                nonlocal peak_one, peak_rss, peak_pss
                while proc.poll() is None:
                    one, rss, pss = _tree_memory_mb(proc.pid)
                    peak_one, peak_rss, peak_pss = max(peak_one, one), max(peak_rss, rss), max(peak_pss, pss)
                    time.sleep(0.5)

            threading.Thread(target=sample, daemon=True).start()
        if proc.wait() != 0:
            raise SystemExit(f"officeclass label failed with exit status {proc.returncode}")
        wall = time.perf_counter() - t
        with open(out, "rb") as f:
            n_out = sum(1 for _ in f)  # physical lines; embedded newlines make this >= rows + 1

    rate = args.rows / wall
    print(f"officeclass label --jobs {args.jobs}: {args.rows:,} rows in {wall:.1f} s = {rate:,.0f} rows/s (goal: 1M in <= 300 s)")
    if peak_one:
        print(f"peak RSS of the largest process (main or a worker, VmHWM): {peak_one:.0f} MB (goal <= 400 MB)")
        print(f"all processes together (sampled every 0.5 s): peak PSS {peak_pss:.0f} MB (shared pages counted once), "
              f"peak RSS summed {peak_rss:.0f} MB (shared pages counted in every process)")
    print(f"bare classify_many, 1 process, same postings: {bare_rate:,.0f} rows/s; end-to-end / bare = {rate / bare_rate:.2f} (goal >= 0.85)")
    print(f"output lines: {n_out:,}")


if __name__ == "__main__":
    main()
