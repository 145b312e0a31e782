"""Build officeclass's training corpus from the real data in ``../shared/data``.

Run from the repository root::

    python datasets/build.py                 # reads ../shared/data, writes datasets/
    python datasets/build.py --data DIR      # another copy of the shared data
    python datasets/build.py --check         # exit 1 if the committed corpus differs

Output (deterministic, byte-identical on every run):

- ``datasets/corpus.csv.gz``: the curated corpus, one row per training document,
  columns ``source, source_id, kind, label, label_origin, confidence, title, text``.
- ``datasets/DATASHEET.md``: sources, licences, counts, normalisation, biases;
  every table in it is computed here.
- ``datasets/dropped_near_duplicates.csv``: the training rows removed because
  they are (near-)duplicates of a validation posting, with the similarity.
- ``datasets/duty_lines.csv.gz``: the tagged lines of ``duty_lines.csv`` that
  the line tagger learns from (lines of postings dropped above are left out),
  columns ``id, source, kind, line, tag, title, text``.

Every posting text goes through :func:`officeclass.text.normalise_lines` (one
cleaned line per line), titles and lines through :func:`officeclass.text.normalise`:
the functions the library applies at prediction time.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import html
import io
import re
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # always the repository's own normaliser

from officeclass.labels import LABELS  # noqa: E402
from officeclass.text import normalise, normalise_lines  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
OUT_DIR = ROOT / "datasets"
CORPUS = "corpus.csv.gz"
DUTY_LINES = "duty_lines.csv.gz"
DUTY_COLUMNS = ["id", "source", "kind", "line", "tag", "title", "text"]
CORPUS_COLUMNS = ["source", "source_id", "kind", "label", "label_origin", "confidence", "title", "text"]
#: Cosine similarity (word 1-2-gram tf-idf of the normalised text) at or above
#: which a training posting counts as a near-duplicate of a validation posting.
NEAR_DUPLICATE_COSINE = 0.8


def _read(path: Path, **kwargs) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, **kwargs)


# --------------------------------------------------------------------------- loaders
# Each returns raw (not yet normalised) text in columns
# source, source_id, title, text, category (a weak, board-given signal; may be "").


def load_google(data: Path) -> pd.DataFrame:
    """Google careers postings: UTF-8 with a BOM; text = responsibilities + qualifications."""
    df = _read(data / "raw/google_job_skills/job_skills.csv", encoding="utf-8-sig")
    text = (
        df["Responsibilities"]
        + "\n\nMinimum qualifications:\n"
        + df["Minimum Qualifications"]
        + "\n\nPreferred qualifications:\n"
        + df["Preferred Qualifications"]
    )
    return pd.DataFrame(
        {"source": "google", "source_id": df.index.astype(str), "title": df["Title"], "text": text, "category": df["Category"]}
    )


def load_wuzzuf(data: Path) -> pd.DataFrame:
    """Wuzzuf (Egypt): ``~``-separated; categories joined on (job_title, company_name)."""
    df = _read(data / "raw/wuzzuf/job_postings_data_final.csv", sep="~")
    cats = _read(data / "raw/wuzzuf/job_categories.csv", sep="~")
    cats = cats[cats["job_category"] != "IT/Software Development"]  # carried by every posting
    joined = cats.groupby(["job_title", "company_name"], sort=True)["job_category"].agg(lambda s: "|".join(sorted(set(s))))
    key = pd.MultiIndex.from_frame(df[["job_title", "company_name"]])
    category = joined.reindex(key).fillna("").to_numpy()
    return pd.DataFrame(
        {
            "source": "wuzzuf",
            "source_id": df.index.astype(str),
            "title": df["job_title"],
            "text": df["job_description"] + "\n" + df["job_requirements"],
            "category": category,
        }
    )


def load_armenia(data: Path) -> pd.DataFrame:
    """Armenian CareerCenter: ``;``-separated latin-1; only rows with a ``jobpost`` are postings."""
    df = _read(data / "raw/armenia_careercenter/data job posts.csv", sep=";", encoding="latin-1")
    df = df[df["jobpost"].str.strip() != ""]
    category = np.where(df["IT"] == "VERDADEIRO", "IT", "")
    return pd.DataFrame(
        {"source": "armenia", "source_id": df.index.astype(str), "title": df["Title"], "text": df["jobpost"], "category": category}
    )


def load_adzuna(data: Path) -> pd.DataFrame:
    """Adzuna UK salary data: Title, FullDescription, Category; numbers masked as ``****``."""
    df = _read(data / "raw/adzuna_uk_2499/Train_rev1.csv")
    return pd.DataFrame(
        {"source": "adzuna", "source_id": df["Id"], "title": df["Title"], "text": df["FullDescription"], "category": df["Category"]}
    )


_FIELD = re.compile(r"^(Title|Webindex|Company|Description):\s?", re.MULTILINE)


def load_adzuna4(data: Path) -> pd.DataFrame:
    """Adzuna UK, four categories: a zip of ``data/<Category>/Job_NNNNN.txt`` with ``Title:`` / ``Description:`` lines."""
    rows = []
    with zipfile.ZipFile(data / "raw/adzuna_uk_4cat/data.zip") as zf:
        for name in sorted(zf.namelist()):
            if not name.endswith(".txt"):
                continue
            raw = zf.read(name).decode("utf-8", errors="replace")
            parts = _FIELD.split(raw)
            fields = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
            source_id = name.split("/", 1)[1]
            rows.append(("adzuna4", source_id, fields.get("Title", ""), fields.get("Description", ""), source_id.split("/")[0]))
    return pd.DataFrame(rows, columns=["source", "source_id", "title", "text", "category"])


def load_dice(data: Path) -> pd.DataFrame:
    """Dice US IT postings: jobdescription, jobtitle; no category (all IT)."""
    df = _read(data / "raw/dice_it/dice_com-job_us_sample.csv")
    return pd.DataFrame(
        {"source": "dice", "source_id": df.index.astype(str), "title": df["jobtitle"], "text": df["jobdescription"], "category": ""}
    )


def load_reed_titles(data: Path) -> pd.DataFrame:
    """Reed UK: titles only, with one of 37 board categories."""
    df = _read(data / "raw/reed_uk_titles/reed_uk.csv")
    return pd.DataFrame({"source": "reed", "source_id": df.index.astype(str), "title": df["job_title"], "text": "", "category": df["category"]})


def load_nyc_titles(data: Path) -> pd.DataFrame:
    """NYC government jobs: business titles with a job category (``Job ID`` repeats across posting types, so rows are ids)."""
    df = _read(data / "raw/nyc_jobs_titles/NYC_Jobs.csv")
    return pd.DataFrame(
        {"source": "nyc", "source_id": df.index.astype(str), "title": df["Business Title"], "text": "", "category": df["Job Category"]}
    )


def _nhs_text(description: str) -> str:
    """An NHS description as train_labels.csv gives it: unescaped twice, block tags to line breaks, other tags to spaces."""
    text = html.unescape(html.unescape(description))
    text = _NHS_BREAK.sub("\n", text)
    return _NHS_TAG.sub(" ", text)


_NHS_BREAK = re.compile(r"<br[^>]*>|<p[^>]*>|</p>|<li[^>]*>|</li>|</div>|</h[1-6]>", re.IGNORECASE)
_NHS_TAG = re.compile(r"<[^>]{0,400}>")


def load_nhs(data: Path) -> pd.DataFrame:
    """NHS Jobs (England and Wales): one schema.org JobPosting JSON per vacancy in a tar.xz; no category."""
    import json
    import tarfile

    rows = []
    with tarfile.open(data / "raw/nhs_jobs_uk/nhs_jobs_data_2020.tar.xz", "r:xz") as tf:
        for member in tf:
            if not (member.isfile() and member.name.endswith(".json")):
                continue
            posting = json.load(tf.extractfile(member))  # type: ignore[arg-type]
            source_id = member.name.rsplit("/", 1)[-1][: -len(".json")]
            rows.append(("nhs", source_id, str(posting.get("title", "")), _nhs_text(str(posting.get("description", ""))), ""))
    return pd.DataFrame(sorted(rows), columns=["source", "source_id", "title", "text", "category"])


POSTING_LOADERS = {
    "google": load_google,
    "wuzzuf": load_wuzzuf,
    "armenia": load_armenia,
    "adzuna": load_adzuna,
    "adzuna4": load_adzuna4,
    "dice": load_dice,
    "nhs": load_nhs,
}
TITLE_LOADERS = {"reed": load_reed_titles, "nyc": load_nyc_titles}


def load_onet(data: Path) -> dict[str, pd.DataFrame]:
    """O*NET 29 tables (tab-separated), keyed by short name."""
    base = data / "raw/onet_29"
    names = {
        "occupations": "Occupation Data.tsv",
        "tasks": "Task Statements.tsv",
        "alternate": "Alternate Titles.tsv",
        "reported": "Sample of Reported Titles.tsv",
    }
    return {key: _read(base / name, sep="\t") for key, name in names.items()}


# --------------------------------------------------------------------------- corpus parts


def hand_rows(data: Path) -> pd.DataFrame:
    """The hand-labelled postings of train_labels.csv, normalised."""
    df = _read(data / "train_labels.csv")
    return pd.DataFrame(
        {
            "source": df["source"],
            "source_id": df["source_id"],
            "kind": "posting",
            "label": df["label"],
            "label_origin": "hand",
            "confidence": df["confidence"],
            "title": df["title"].map(normalise),
            "text": df["text"].map(normalise_lines),
        }
    )


def duty_line_rows(data: Path, kept_ids: set[str]) -> pd.DataFrame:
    """The tagged lines of ``duty_lines.csv``, normalised, with the title of their posting or occupation.

    Posting lines are kept only for postings in ``kept_ids`` (``source:source_id``
    of the corpus), so no line of a validation posting's near-copy is learnt from.
    """
    df = _read(data / "duty_lines.csv")
    df["line"] = df["line"].astype(int)
    postings = _read(data / "train_labels.csv").set_index("id")
    occupations = _read(data / "onet_labels.csv").set_index("onet_soc_code")
    is_task = df["kind"] == "onet_task"
    title = df["id"].map(postings["title"])
    title[is_task] = df.loc[is_task, "id"].str.removeprefix("onet:").map(occupations["title"])
    df = df.assign(source=np.where(is_task, "onet", df["id"].str.split(":").str[0]), title=title.fillna("").map(normalise), text=df["text"].map(normalise))
    df = df[is_task | df["id"].isin(kept_ids)]
    return df.sort_values(["kind", "id", "line"])[DUTY_COLUMNS].reset_index(drop=True)


def onet_rows(data: Path) -> pd.DataFrame:
    """O*NET occupations as documents (description + tasks) and their titles as title-only rows."""
    onet = load_onet(data)
    labels = _read(data / "onet_labels.csv").set_index("onet_soc_code")
    occ = onet["occupations"].set_index("O*NET-SOC Code")
    tasks = onet["tasks"].assign(task_id=onet["tasks"]["Task ID"].astype(int)).sort_values(["O*NET-SOC Code", "task_id"])
    task_text = tasks.groupby("O*NET-SOC Code", sort=True)["Task"].agg("\n".join)
    docs = pd.DataFrame(
        {
            "source": "onet",
            "source_id": occ.index,
            "kind": "occupation",
            "label": labels["label"].reindex(occ.index).to_numpy(),
            "label_origin": "onet",
            "confidence": labels["confidence"].reindex(occ.index).to_numpy(),
            "title": occ["Title"].map(normalise).to_numpy(),
            "text": (occ["Description"] + "\n" + task_text.reindex(occ.index).fillna("")).map(normalise_lines).to_numpy(),
        }
    )
    titles = pd.concat(
        [
            onet["alternate"][["O*NET-SOC Code", "Alternate Title"]].set_axis(["code", "title"], axis=1),
            onet["reported"][["O*NET-SOC Code", "Reported Job Title"]].set_axis(["code", "title"], axis=1),
            onet["occupations"][["O*NET-SOC Code", "Title"]].set_axis(["code", "title"], axis=1),
        ]
    )
    titles["title"] = titles["title"].map(normalise)
    titles["label"] = labels["label"].reindex(titles["code"]).to_numpy()
    titles["confidence"] = labels["confidence"].reindex(titles["code"]).to_numpy()
    titles["key"] = titles["title"].str.lower()
    # A title shared by occupations with different labels teaches nothing: drop it.
    n_labels = titles.groupby("key")["label"].transform("nunique")
    titles = titles[(n_labels == 1) & (titles["key"] != "")]
    titles = titles.sort_values(["key", "code"]).drop_duplicates("key")
    title_rows = pd.DataFrame(
        {
            "source": "onet",
            "source_id": titles["code"].to_numpy(),
            "kind": "title",
            "label": titles["label"].to_numpy(),
            "label_origin": "onet",
            "confidence": titles["confidence"].to_numpy(),
            "title": titles["title"].to_numpy(),
            "text": "",
        }
    )
    return pd.concat([docs, title_rows], ignore_index=True)


#: Board categories mapped to labels for the weak-label experiment (rule 7 of
#: the labelling guide puts nursing, teaching, retail and hospitality in front
#: office). Categories with no clear side are left out.
WEAK_CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "google": {
        "Sales & Account Management": "front_office", "Marketing & Communications": "front_office",
        "Product & Customer Support": "front_office", "Partnerships": "front_office", "Developer Relations": "front_office",
        "Sales Operations": "hybrid", "Technical Solutions": "hybrid",
        "Finance": "back_office", "People Operations": "back_office", "Administrative": "back_office",
        "Software Engineering": "back_office", "Technical Infrastructure": "back_office", "IT & Data Management": "back_office",
        "Data Center & Network": "back_office", "Hardware Engineering": "back_office", "Network Engineering": "back_office",
        "Manufacturing & Supply Chain": "back_office", "Real Estate & Workplace Services": "back_office",
        "Legal & Government Relations": "back_office", "User Experience & Design": "back_office",
    },
    "adzuna": {
        "Sales Jobs": "front_office", "Customer Services Jobs": "front_office", "PR, Advertising & Marketing Jobs": "front_office",
        "Healthcare & Nursing Jobs": "front_office", "Teaching Jobs": "front_office", "Hospitality & Catering Jobs": "front_office",
        "Retail Jobs": "front_office", "Accounting & Finance Jobs": "back_office", "IT Jobs": "back_office",
        "HR & Recruitment Jobs": "back_office", "Engineering Jobs": "back_office", "Admin Jobs": "back_office",
        "Logistics & Warehouse Jobs": "back_office", "Manufacturing Jobs": "back_office",
    },
    "adzuna4": {"Sales": "front_office", "Healthcare_Nursing": "front_office", "Accounting_Finance": "back_office", "Engineering": "back_office"},
    "wuzzuf": {
        "Sales/Retail": "front_office", "Marketing/PR/Advertising": "front_office", "Customer Service/Support": "front_office",
        "Accounting/Finance": "back_office", "Human Resources": "back_office", "Administration": "back_office",
        "Engineering - Telecom/Technology": "back_office", "Installation/Maintenance/Repair": "back_office",
        "Engineering - Mechanical/Electrical": "back_office", "Quality": "back_office",
    },
}


def _unlabelled_raw(data: Path, sources: Iterable[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw postings of ``sources`` (in that order) that are neither hand-labelled nor validation rows; and validation."""
    labelled = _read(data / "train_labels.csv")
    valid = validation_rows(data)
    taken = set(zip(labelled["source"], labelled["source_id"])) | set(zip(valid["source"], valid["source_id"]))
    frames = [df[[(source, i) not in taken for i in df["source_id"]]] for source in sources for df in [POSTING_LOADERS[source](data)]]
    return pd.concat(frames, ignore_index=True), valid


def _distinct_from_validation(out: pd.DataFrame, valid: pd.DataFrame) -> pd.DataFrame:
    """Drop empty texts, repeats and near-duplicates of validation rows from normalised postings."""
    out = out[out["text"] != ""]
    out = out.drop_duplicates(["title", "text"]).reset_index(drop=True)
    near = near_duplicates(out, valid)
    drop = set(zip(near["source"], near["source_id"]))
    return out[[(s, i) not in drop for s, i in zip(out["source"], out["source_id"])]].reset_index(drop=True)


def unlabelled_rows(data: Path) -> pd.DataFrame:
    """Postings of every board that are not hand-labelled, not validation rows and not their near-duplicates.

    Columns ``source``, ``source_id``, ``title``, ``text`` (normalised). Used by the
    self-training experiment (benchmarks/model_experiments.py).
    """
    raw, valid = _unlabelled_raw(data, POSTING_LOADERS)
    out = pd.DataFrame({"source": raw["source"], "source_id": raw["source_id"], "title": raw["title"].map(normalise), "text": raw["text"].map(normalise_lines)})
    return _distinct_from_validation(out, valid)


def weak_rows(data: Path) -> pd.DataFrame:
    """Postings not hand-labelled, labelled from their board category (for the experiment only).

    A posting whose categories map to different labels is left out; validation
    postings and their near-duplicates are removed.
    """
    df, valid = _unlabelled_raw(data, WEAK_CATEGORY_LABELS)
    mappings = df["source"].map(WEAK_CATEGORY_LABELS)
    labels = pd.Series([{m[x] for x in str(c).split("|") if x in m} for m, c in zip(mappings, df["category"])], index=df.index)
    one = labels.map(len) == 1
    df = df[one].assign(label=labels[one].map(lambda s: next(iter(s))))
    out = pd.DataFrame(
        {
            "source": df["source"], "source_id": df["source_id"], "kind": "posting", "label": df["label"],
            "label_origin": "weak", "confidence": 1, "title": df["title"].map(normalise), "text": df["text"].map(normalise_lines),
        }
    )
    return _distinct_from_validation(out, valid)


def validation_rows(data: Path) -> pd.DataFrame:
    df = _read(data / "validation.csv")
    df["title"] = df["title"].map(normalise)
    df["text"] = df["text"].map(normalise_lines)
    return df


def near_duplicates(train: pd.DataFrame, valid: pd.DataFrame, threshold: float = NEAR_DUPLICATE_COSINE) -> pd.DataFrame:
    """Pairs (train row, validation row) whose texts have cosine similarity >= threshold.

    Similarity is computed on word 1-2-gram tf-idf vectors of the normalised
    text (lower-cased), fitted on both sets together, so reposts of the same ad
    with another location, date or salary line are caught.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float64)
    vec.fit(pd.concat([train["text"], valid["text"]]))
    sim = (vec.transform(train["text"]) @ vec.transform(valid["text"]).T).tocoo()
    keep = sim.data >= threshold
    pairs = pd.DataFrame({"train_pos": sim.row[keep], "valid_pos": sim.col[keep], "cosine": sim.data[keep]})
    best = pairs.sort_values(["train_pos", "cosine"], ascending=[True, False]).drop_duplicates("train_pos")
    return pd.DataFrame(
        {
            "source": train["source"].to_numpy()[best["train_pos"]],
            "source_id": train["source_id"].to_numpy()[best["train_pos"]],
            "validation_id": valid["id"].to_numpy()[best["valid_pos"]],
            "cosine": best["cosine"].round(4).to_numpy(),
        }
    )


def build(data: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict, pd.DataFrame]:
    """Return (corpus, dropped near-duplicates, stats for the datasheet, tagged duty lines)."""
    hand = hand_rows(data)
    valid = validation_rows(data)
    stats: dict = {"hand_rows_read": len(hand)}

    # 1. within-training exact duplicates (same normalised title and text)
    key = hand["title"].str.lower() + "\x1f" + hand["text"].str.lower()
    stats["hand_exact_duplicates"] = int(key.duplicated().sum())
    hand = hand[~key.duplicated()].reset_index(drop=True)
    # 2. empty texts cannot teach the description block
    stats["hand_empty_text"] = int((hand["text"] == "").sum())
    hand = hand[hand["text"] != ""].reset_index(drop=True)
    # 3. validation rows and their near-duplicates
    dropped = near_duplicates(hand, valid)
    drop_key = set(zip(dropped["source"], dropped["source_id"]))
    mask = [(s, i) in drop_key for s, i in zip(hand["source"], hand["source_id"])]
    hand = hand[~np.array(mask, dtype=bool)].reset_index(drop=True)
    stats["near_duplicates_dropped"] = len(dropped)

    onet = onet_rows(data)
    corpus = pd.concat([hand, onet], ignore_index=True)[CORPUS_COLUMNS]
    order = {"posting": 0, "occupation": 1, "title": 2}
    corpus = corpus.sort_values(
        ["kind", "source", "source_id", "title"], key=lambda s: s.map(order) if s.name == "kind" else s
    ).reset_index(drop=True)
    assert corpus["label"].isin(LABELS).all()
    postings = corpus[corpus["kind"] == "posting"]
    lines = duty_line_rows(data, set(postings["source"] + ":" + postings["source_id"]))
    stats["duty_lines"] = lines.groupby(["kind", "tag"]).size().to_dict()
    return corpus, dropped, stats, lines


# --------------------------------------------------------------------------- writing


def corpus_bytes(corpus: pd.DataFrame) -> bytes:
    """The gzip bytes of a table (the corpus, the duty lines): fixed mtime and no file name, so byte-identical each run."""
    text = corpus.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def read_duty_lines(path: Path | None = None) -> pd.DataFrame:
    """Read the committed tagged lines (``line`` as int)."""
    df = pd.read_csv(path or OUT_DIR / DUTY_LINES, dtype=str, keep_default_na=False)
    df["line"] = df["line"].astype(int)
    return df


def read_corpus(path: Path | None = None) -> pd.DataFrame:
    """Read the committed corpus (all columns as strings, confidence as int)."""
    path = path or OUT_DIR / CORPUS
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["confidence"] = df["confidence"].astype(int)
    return df


def _md_table(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


def datasheet(corpus: pd.DataFrame, dropped: pd.DataFrame, stats: dict, digest: str) -> str:
    counts = pd.crosstab([corpus["source"], corpus["kind"]], corpus["label"]).reindex(columns=list(LABELS), fill_value=0)
    counts["total"] = counts.sum(axis=1)
    counts = counts.reset_index()
    total = pd.DataFrame([["all", "", *[int((corpus["label"] == lab).sum()) for lab in LABELS], len(corpus)]], columns=counts.columns)
    counts = pd.concat([counts, total], ignore_index=True)
    origin = corpus.groupby(["label_origin", "kind"]).size().rename("rows").reset_index()
    drop_by_source = dropped.groupby("source").size().rename("dropped").reset_index() if len(dropped) else pd.DataFrame({"source": [], "dropped": []})
    postings = corpus[corpus["kind"] == "posting"]
    lengths = postings["text"].str.len().describe()[["min", "50%", "mean", "max"]].round().astype(int)
    template = (Path(__file__).parent / "DATASHEET.template.md").read_text(encoding="utf-8")
    return template.format(
        counts_table=_md_table(counts),
        origin_table=_md_table(origin),
        dropped_table=_md_table(drop_by_source),
        threshold=NEAR_DUPLICATE_COSINE,
        hand_rows_read=stats["hand_rows_read"],
        hand_exact_duplicates=stats["hand_exact_duplicates"],
        hand_empty_text=stats["hand_empty_text"],
        near_duplicates_dropped=stats["near_duplicates_dropped"],
        duty_lines_table=", ".join(f"{kind} {tag} {n:,}" for (kind, tag), n in sorted(stats["duty_lines"].items())),
        len_min=lengths["min"],
        len_median=lengths["50%"],
        len_mean=lengths["mean"],
        len_max=lengths["max"],
        n_rows=len(corpus),
        sha256=digest,
        weak_measurement=_weak_measurement(),
    )


def _weak_measurement() -> str:
    path = Path(__file__).parent / "weak_labels_experiment.md"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    return "(not measured yet: run `python benchmarks/weak_labels.py`)"


def outputs(data: Path) -> dict[str, bytes]:
    corpus, dropped, stats, lines = build(data)
    blob = corpus_bytes(corpus)
    digest = hashlib.sha256(blob).hexdigest()
    return {
        CORPUS: blob,
        DUTY_LINES: corpus_bytes(lines),
        "dropped_near_duplicates.csv": dropped.to_csv(index=False, lineterminator="\n").encode("utf-8"),
        "DATASHEET.md": datasheet(corpus, dropped, stats, digest).encode("utf-8"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder (default: ../shared/data)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="where to write (default: datasets/)")
    parser.add_argument("--check", action="store_true", help="compare with the files in --out instead of writing")
    args = parser.parse_args(argv)
    if not (args.data / "train_labels.csv").exists():
        print(f"error: {args.data} has no train_labels.csv; pass --data with the shared data folder", file=sys.stderr)
        return 2
    files = outputs(args.data)
    if args.check:
        stale = [name for name, blob in files.items() if not (args.out / name).exists() or (args.out / name).read_bytes() != blob]
        if stale:
            print(f"out of date: {', '.join(stale)}; run python datasets/build.py", file=sys.stderr)
            return 1
        print("datasets/ matches the build", file=sys.stderr)
        return 0
    for name, blob in files.items():
        (args.out / name).write_bytes(blob)
        print(f"wrote {args.out / name} ({len(blob):,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
