"""The corpus build, on the real shared data (skipped when ../shared/data is absent)."""

import importlib.util
import sys

import pandas as pd
import pytest

from conftest import REPO
from officeclass.labels import LABELS
from officeclass.text import normalise


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("datasets_build", REPO / "datasets" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["datasets_build"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(build):
    return build.read_corpus(REPO / "datasets" / "corpus.csv.gz")


EXPECTED_ROWS = {"google": 1250, "wuzzuf": 1947, "armenia": 499, "adzuna": 2499, "adzuna4": 776, "dice": 658, "nhs": 14842, "reed": 29862, "nyc": 3977}


@pytest.mark.parametrize("source", sorted(EXPECTED_ROWS))
def test_loader_reads_every_row(build, shared_data, source):
    loader = {**build.POSTING_LOADERS, **build.TITLE_LOADERS}[source]
    df = loader(shared_data)
    assert len(df) == EXPECTED_ROWS[source]
    assert list(df.columns) == ["source", "source_id", "title", "text", "category"]
    assert df["source_id"].is_unique
    if source in build.POSTING_LOADERS:
        empty = int((df["text"].map(normalise) == "").sum())
        assert empty <= 3, f"{empty} empty texts"  # Wuzzuf has 3 postings with no description at all
    else:
        assert (df["title"].str.strip() != "").all()


@pytest.mark.parametrize("source", sorted(["google", "wuzzuf", "armenia", "adzuna", "adzuna4", "dice", "nhs"]))
def test_loader_reproduces_the_labelled_texts(build, shared_data, source):
    """Each loader gives, for a labelled posting's source_id, the text that was labelled."""
    loaded = build.POSTING_LOADERS[source](shared_data).set_index("source_id")
    labelled = pd.read_csv(shared_data / "train_labels.csv", dtype=str, keep_default_na=False)
    labelled = labelled[labelled["source"] == source].head(40)
    for row in labelled.itertuples():
        assert normalise(loaded.loc[row.source_id, "text"]) == normalise(row.text), row.id


def test_onet_tables(build, shared_data):
    onet = build.load_onet(shared_data)
    assert {k: len(v) for k, v in onet.items()} == {"occupations": 1016, "tasks": 18796, "alternate": 56560, "reported": 7796}


def test_corpus_labels_kinds_and_origins(corpus):
    assert set(corpus["label"]) == set(LABELS)
    assert set(corpus["kind"]) == {"posting", "occupation", "title"}
    assert set(corpus["label_origin"]) <= {"hand", "onet", "weak"}
    assert (corpus.loc[corpus["kind"] != "title", "text"] != "").all()
    assert (corpus.loc[corpus["kind"] == "title", "text"] == "").all()
    assert not corpus.duplicated(["kind", "source", "source_id", "title", "text"]).any()


def test_corpus_has_no_validation_row_or_near_duplicate(build, shared_data, corpus):
    valid = build.validation_rows(shared_data)
    postings = corpus[corpus["kind"] == "posting"]
    ids = set(postings["source"] + ":" + postings["source_id"])
    assert ids.isdisjoint(set(valid["id"]))
    assert set(postings["text"].str.lower()).isdisjoint(set(valid["text"].str.lower()))
    near = build.near_duplicates(postings, valid)
    assert near.empty, near.head()


def test_committed_corpus_matches_a_fresh_build(build, shared_data):
    files = build.outputs(shared_data)
    for name, blob in files.items():
        assert (REPO / "datasets" / name).read_bytes() == blob, f"datasets/{name} is stale: run python datasets/build.py"


def test_build_is_deterministic(build, shared_data):
    corpus, _, _, lines = build.build(shared_data)
    again = build.build(shared_data)
    assert build.corpus_bytes(corpus) == build.corpus_bytes(again[0])
    assert build.corpus_bytes(lines) == build.corpus_bytes(again[3])


def test_duty_lines_are_normalised_tagged_and_never_from_a_dropped_posting(build):
    lines = build.read_duty_lines(REPO / "datasets" / "duty_lines.csv.gz")
    corpus = build.read_corpus(REPO / "datasets" / "corpus.csv.gz")
    postings = corpus[corpus["kind"] == "posting"]
    kept = set(postings["source"] + ":" + postings["source_id"])
    assert set(lines.loc[lines["kind"] == "posting_line", "id"]) <= kept
    assert set(lines["tag"]) == {"C", "I", "B", "Q", "X"}
    assert (lines["text"] == lines["text"].map(normalise)).all()
    assert set(lines["source"]) == {"google", "wuzzuf", "armenia", "adzuna", "adzuna4", "dice", "nhs", "onet"}


def test_corpus_postings_hold_one_cleaned_line_per_line(corpus):
    postings = corpus[corpus["kind"] == "posting"]
    multi = postings["text"].str.contains("\n")
    assert multi.mean() > 0.9
    for text in postings["text"].head(200):
        assert all(line and line == normalise(line) for line in text.split("\n"))
