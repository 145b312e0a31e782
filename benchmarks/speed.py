"""Speed of officeclass's prediction path, measured side by side in one run.

    python benchmarks/speed.py [--n 4000] [--repeats 5] [--previous OLD_MODEL.skops]

Prints postings/s of classify_many with and without explanations, of the same
model's bare scoring on the same already-cleaned texts (the line tagger's
NumPy scoring, then ``pipeline.predict_proba``; no text cleaning), their ratio, single
``classify()`` latency (p50/p99, with explanation), and the time to import
officeclass and make a first prediction in a fresh interpreter. Medians of
``--repeats`` rounds in which the three throughput measures take turns. Goals
(issue 3): ratio >= 0.85, p50 <= 2 ms, first prediction <= 1.5 s, >= 4,000
postings/s end to end on 2 cores (see batch_1m.py).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import numpy as np

from _data import postings, repeat


def rates(fns: dict, n: int, repeats: int) -> dict[str, float]:
    """Postings/s of each function: median over ``repeats`` rounds, the functions taking turns
    within a round so that the machine's drift touches them all alike."""
    from officeclass.lexicon import find_roles

    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            find_roles.cache_clear()  # every run sees the texts for the first time, as in a real file
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {name: n / statistics.median(ts) for name, ts in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--previous", help="another model's .skops (e.g. the previous release's), measured in the same rounds")
    args = ap.parse_args()

    from officeclass import classify, classify_many
    from officeclass.model import Classifier, as_array
    from officeclass.predict import default_model
    from officeclass.text import normalise, normalise_lines

    model = default_model()
    df = repeat(postings(), args.n)
    texts, titles = df["text"].tolist(), df["title"].tolist()
    clean_texts, clean_titles = [normalise_lines(t) for t in texts], [normalise(t) for t in titles]
    classify_many(texts[:50], titles=titles[:50])  # warm caches

    pipeline = model.pipeline  # read from the .skops file now, not inside the timing

    def bare(m: Classifier, p) -> None:
        inputs = m.line_inputs(clean_texts, clean_titles) if m.reads_lines else None
        X = as_array(clean_texts, clean_titles, inputs)
        p.predict_proba(X[:, : p.named_steps["features"].n_features_in_])  # models before line features read 2 columns

    fns = {
        "bare": lambda: bare(model, pipeline),
        "fast": lambda: classify_many(texts, titles=titles, explain=False),
        "full": lambda: classify_many(texts, titles=titles, explain=True),
    }
    previous = None
    if args.previous:
        import warnings

        previous = Classifier.load(args.previous)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            previous_pipeline = previous.pipeline
        fns.update(
            {
                "prev_bare": lambda: bare(previous, previous_pipeline),
                "prev_fast": lambda: classify_many(texts, titles=titles, explain=False, model=previous),
                "prev_full": lambda: classify_many(texts, titles=titles, explain=True, model=previous),
            }
        )
    r = rates(fns, args.n, args.repeats)
    bare, fast, full = r["bare"], r["fast"], r["full"]

    lat = []
    for text, title in zip(texts[:1000], titles[:1000]):
        t = time.perf_counter()
        classify(text, title=title)
        lat.append(time.perf_counter() - t)
    lat_ms = np.array(lat) * 1000

    code = "import time; t=time.perf_counter(); from officeclass import classify; classify('Run the payroll.'); print(time.perf_counter()-t)"
    first = []
    startup = []
    for _ in range(3):
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        first.append((float(out), time.perf_counter() - t))
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        startup.append(time.perf_counter() - t)
    in_process = statistics.median(f[0] for f in first)
    wall = statistics.median(f[1] for f in first)

    mean_len = int(np.mean([len(t) for t in texts]))
    print(f"officeclass speed, {args.n} real postings (mean {mean_len} chars), median of {args.repeats} interleaved rounds, model {model.version}")
    print(f"{'bare scoring (tagger + pipeline)':<44}{bare:>10,.0f} postings/s")
    print(f"{'classify_many(explain=False)':<44}{fast:>10,.0f} postings/s   ratio to bare {fast / bare:.2f} (goal >= 0.85)")
    print(f"{'classify_many(explain=True)':<44}{full:>10,.0f} postings/s   ratio to bare {full / bare:.2f}")
    if previous is not None:
        print(f"previous model {previous.version}, same rounds:")
        print(f"{'  bare scoring':<44}{r['prev_bare']:>10,.0f} postings/s")
        print(f"{'  classify_many(explain=False)':<44}{r['prev_fast']:>10,.0f} postings/s   ratio to its bare {r['prev_fast'] / r['prev_bare']:.2f}")
        print(f"{'  classify_many(explain=True)':<44}{r['prev_full']:>10,.0f} postings/s   ratio to its bare {r['prev_full'] / r['prev_bare']:.2f}")
        print(f"{'  new / previous, explain=True':<44}{full / r['prev_full']:.2f}")
    print(f"{'classify() latency with explanation':<44}p50 {np.percentile(lat_ms, 50):.2f} ms   p99 {np.percentile(lat_ms, 99):.2f} ms (goal p50 <= 2 ms)")
    print(f"{'import + load + first classify()':<44}{in_process:.2f} s in process; {wall:.2f} s wall incl. interpreter start "
          f"({statistics.median(startup):.2f} s) (goal <= 1.5 s)")


if __name__ == "__main__":
    main()
