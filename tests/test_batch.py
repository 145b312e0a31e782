import csv
import json
import re
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from officeclass import (
    AmbiguousColumnError,
    BadLinesError,
    ColumnNotFoundError,
    EncodingError,
    InputFormatError,
    OutputExistsError,
    label_file,
    label_frame,
)
from officeclass.batch import EXPLAIN_COLUMNS, OUTPUT_COLUMNS


@pytest.fixture()
def frame():
    return pd.DataFrame(
        {
            "id": ["007", "2", "3", "4"],
            "title": ["Sales Executive", "Payroll Clerk", None, "Bank Teller"],
            "description": ["Close sales deals with clients", "Run payroll and the general ledger", None, "Serve customers and process transactions"],
        }
    )


def write_csv(path, rows, header=("id", "title", "description"), **kw):
    with open(path, "w", newline="", encoding=kw.pop("encoding", "utf-8")) as f:
        w = csv.writer(f, **kw)
        w.writerow(header)
        w.writerows(rows)
    return path


def read_out(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


ROWS = [
    ("1", "Sales Executive", "Close sales deals with clients"),
    ("2", "Payroll Clerk", "Run payroll and the general ledger"),
    ("3", "", ""),
    ("4", "Bank Teller", "Serve customers and process transactions"),
]


# ---- label_frame


def test_label_frame_appends_columns_in_order_without_mutating(frame, tiny_model):
    before = frame.copy()
    out = label_frame(frame, text_column="description", title_column="title", model=tiny_model)
    pd.testing.assert_frame_equal(frame, before)
    assert list(out.columns) == list(frame.columns) + list(OUTPUT_COLUMNS)
    pd.testing.assert_frame_equal(out[frame.columns], frame)
    assert out["officeclass_label"].tolist()[:2] == ["front_office", "back_office"]
    assert out.loc[2, "officeclass_status"] == "empty_text" and out.loc[2, "officeclass_abstained"]


def test_label_frame_keeps_a_custom_index(frame, tiny_model):
    frame.index = [10, 5, 7, 1]
    out = label_frame(frame, text_column="description", model=tiny_model)
    assert out.index.tolist() == [10, 5, 7, 1]


def test_label_frame_guesses_an_unambiguous_text_column(frame, tiny_model):
    out = label_frame(frame, model=tiny_model)
    assert len(out) == 4


def test_label_frame_refuses_to_guess_among_several(tiny_model):
    df = pd.DataFrame({"text": ["a"], "description": ["b"]})
    with pytest.raises(
        AmbiguousColumnError,
        match=re.escape("Cannot tell which column of the DataFrame holds the posting text: 2 columns could be it ('text', 'description'); columns: text, description."),
    ):
        label_frame(df, model=tiny_model)


def test_missing_column_names_it_and_suggests(frame, tiny_model):
    with pytest.raises(ColumnNotFoundError, match=r"^Column 'descripton' not in the DataFrame; available: id, title, description. Did you mean 'description'\?$"):
        label_frame(frame, text_column="descripton", model=tiny_model)


def test_column_not_found_is_a_key_error(frame, tiny_model):
    with pytest.raises(KeyError):
        label_frame(frame, text_column="nope", model=tiny_model)


def test_existing_officeclass_columns_are_refused_unless_overwrite(frame, tiny_model):
    once = label_frame(frame, text_column="description", model=tiny_model)
    with pytest.raises(OutputExistsError, match="already has officeclass columns"):
        label_frame(once, text_column="description", model=tiny_model)
    twice = label_frame(once, text_column="description", overwrite=True, model=tiny_model)
    assert list(twice.columns) == list(once.columns)


def test_non_text_column_is_read_as_text(tiny_model):
    df = pd.DataFrame({"description": [1, 2.5, None]})
    out = label_frame(df, model=tiny_model)
    assert out["officeclass_status"].tolist() == ["no_known_terms", "no_known_terms", "empty_text"]


def test_explain_columns(frame, tiny_model):
    out = label_frame(frame, text_column="description", explain=True, model=tiny_model)
    assert list(out.columns[-3:]) == list(EXPLAIN_COLUMNS)
    assert out.loc[0, "officeclass_duties"].startswith(("1 duty line", "0 duty lines"))
    assert "sales (front_office)" in out.loc[0, "officeclass_roles"]
    assert out.loc[0, "officeclass_top_terms"].startswith("+")


# ---- label_file: formats


def test_csv_round_trip_keeps_every_cell_and_row(tmp_path, tiny_model):
    src = write_csv(tmp_path / "in.csv", ROWS)
    summary = label_file(src, tmp_path / "out.csv", text_column="description", title_column="title", model=tiny_model)
    out = read_out(tmp_path / "out.csv")
    assert out[["id", "title", "description"]].values.tolist() == [list(r) for r in ROWS]
    assert list(out.columns[3:]) == list(OUTPUT_COLUMNS)
    assert (summary.rows_in, summary.rows_out) == (4, 4)
    assert out["officeclass_status"].tolist() == ["ok", "ok", "empty_text", "ok"]


def test_leading_zeros_and_odd_strings_survive(tmp_path, tiny_model):
    rows = [("007", "NA", "null"), ("1e5", "TRUE", " padded ")]
    src = write_csv(tmp_path / "in.csv", rows)
    label_file(src, tmp_path / "out.csv", text_column="description", model=tiny_model)
    out = read_out(tmp_path / "out.csv")
    assert out[["id", "title", "description"]].values.tolist() == [list(r) for r in rows]


@pytest.mark.parametrize("suffix", [".tsv", ".csv.gz", ".parquet", ".jsonl", ".jsonl.gz"])
def test_other_formats(tmp_path, suffix, tiny_model, frame):
    frame = frame.fillna("")
    src = tmp_path / f"in{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(src, index=False)
    elif suffix.startswith(".jsonl"):
        frame.to_json(src, orient="records", lines=True, compression="gzip" if suffix.endswith(".gz") else None)
    else:
        frame.to_csv(src, sep="\t" if suffix == ".tsv" else ",", index=False, compression="gzip" if suffix.endswith(".gz") else None)
    out_path = tmp_path / f"out{suffix}"
    label_file(src, out_path, text_column="description", model=tiny_model, chunk_size=3)
    if suffix == ".parquet":
        out = pd.read_parquet(out_path)
    elif suffix.startswith(".jsonl"):
        out = pd.read_json(out_path, lines=True, dtype=False)
    else:
        out = pd.read_csv(out_path, sep="\t" if suffix == ".tsv" else ",", dtype=str, keep_default_na=False)
    assert out["id"].astype(str).tolist() == frame["id"].tolist()
    assert out["officeclass_label"].tolist()[:2] == ["front_office", "back_office"]


def test_csv_to_parquet(tmp_path, tiny_model):
    src = write_csv(tmp_path / "in.csv", ROWS)
    label_file(src, tmp_path / "out.parquet", text_column="description", model=tiny_model, chunk_size=2)
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert out["id"].tolist() == ["1", "2", "3", "4"]


def test_unknown_extension_is_explained(tmp_path, tiny_model):
    src = write_csv(tmp_path / "in.csv", ROWS)
    with pytest.raises(InputFormatError, match=r"Cannot tell the format of .*out.docx' from its name; use .csv, .tsv, .parquet, .jsonl, .json or .xlsx"):
        label_file(src, tmp_path / "out.docx", text_column="description", model=tiny_model)


# ---- label_file: bad input


def test_missing_column_in_file(tmp_path, tiny_model):
    src = write_csv(tmp_path / "postings.csv", ROWS)
    with pytest.raises(ColumnNotFoundError, match=r"^Column 'descripton' not in postings.csv; available: id, title, description. Did you mean 'description'\?$"):
        label_file(src, tmp_path / "out.csv", text_column="descripton", model=tiny_model)
    assert not (tmp_path / "out.csv").exists()


def test_empty_file(tmp_path, tiny_model):
    (tmp_path / "in.csv").write_text("")
    with pytest.raises(InputFormatError, match="in.csv is empty: expected a header row with column names, then one posting per row."):
        label_file(tmp_path / "in.csv", tmp_path / "out.csv", text_column="description", model=tiny_model)


def test_header_only_file_gives_header_only_output(tmp_path, tiny_model):
    src = write_csv(tmp_path / "in.csv", [])
    summary = label_file(src, tmp_path / "out.csv", text_column="description", model=tiny_model)
    out = read_out(tmp_path / "out.csv")
    assert len(out) == 0 and list(out.columns) == ["id", "title", "description", *OUTPUT_COLUMNS]
    assert summary.rows_out == 0


def test_bom_is_not_part_of_the_first_column(tmp_path, tiny_model):
    src = write_csv(tmp_path / "in.csv", ROWS, header=("description", "id", "title"), encoding="utf-8-sig")
    label_file(src, tmp_path / "out.csv", text_column="description", model=tiny_model)
    assert read_out(tmp_path / "out.csv").columns[0] == "description"


def test_latin1_file_read_as_utf8_names_the_encoding_option(tmp_path, tiny_model):
    src = write_csv(tmp_path / "in.csv", [("1", "Caf\u00e9 manager", "G\u00e9rer le caf\u00e9 and serve customers")], encoding="latin-1")
    with pytest.raises(EncodingError, match=r"is not valid utf-8 text \(byte b'\\xe9' on line \d+\)\. .* pass --encoding cp1252 \(or latin-1\)"):
        label_file(src, tmp_path / "out.csv", text_column="description", model=tiny_model)
    label_file(src, tmp_path / "out.csv", text_column="description", encoding="latin-1", model=tiny_model)
    assert read_out(tmp_path / "out.csv")["title"].tolist() == ["Caf\u00e9 manager"]


RAGGED = 'id,title,description\n1,Sales,Close sales deals\n2,Clerk,Run payroll,EXTRA\n3,Teller\n4,Admin,"Keep records"\n'


def test_ragged_rows_stop_with_the_line_number_by_default(tmp_path, tiny_model):
    (tmp_path / "in.csv").write_text(RAGGED)
    with pytest.raises(BadLinesError, match=r"^Line 3 of in.csv has 4 fields, expected 3 \(the header's\). Fix that row, or pass --on-bad-lines skip"):
        label_file(tmp_path / "in.csv", tmp_path / "out.csv", text_column="description", model=tiny_model)
    assert not (tmp_path / "out.csv").exists()


def test_ragged_rows_skipped_on_request_are_counted(tmp_path, tiny_model):
    (tmp_path / "in.csv").write_text(RAGGED)
    s = label_file(tmp_path / "in.csv", tmp_path / "out.csv", text_column="description", on_bad_lines="skip", model=tiny_model)
    assert read_out(tmp_path / "out.csv")["id"].tolist() == ["1", "4"]
    assert (s.rows_in, s.rows_out, s.rows_skipped) == (4, 2, 2)
    assert [n for n, _ in s.bad_lines] == [3, 4]


def test_ragged_rows_reported_are_kept_and_marked(tmp_path, tiny_model):
    (tmp_path / "in.csv").write_text(RAGGED)
    s = label_file(tmp_path / "in.csv", tmp_path / "out.csv", text_column="description", on_bad_lines="report", model=tiny_model)
    out = read_out(tmp_path / "out.csv")
    assert out["id"].tolist() == ["1", "2", "3", "4"]
    assert out["officeclass_status"].tolist() == ["ok", "bad_row", "bad_row", "ok"]
    assert out.loc[1, "officeclass_label"] == ""
    assert [n for n, _ in s.bad_lines] == [3, 4]
    assert "malformed rows at lines 3, 4" in s.to_text()


def test_windows_line_endings_and_embedded_newlines(tmp_path, tiny_model):
    (tmp_path / "in.csv").write_bytes(b'id,description\r\n1,"Close sales\r\ndeals with clients"\r\n2,Run payroll\r\n')
    label_file(tmp_path / "in.csv", tmp_path / "out.csv", text_column="description", model=tiny_model)
    out = read_out(tmp_path / "out.csv")
    assert out["id"].tolist() == ["1", "2"]
    assert out.loc[0, "description"] == "Close sales\r\ndeals with clients"


def test_a_10_mb_cell(tmp_path, tiny_model):
    big = "payroll ledger " * 700_000
    src = write_csv(tmp_path / "in.csv", [("1", "", big), ("2", "", "sales")])
    label_file(src, tmp_path / "out.csv", text_column="description", model=tiny_model)
    out = read_out(tmp_path / "out.csv")
    assert out["officeclass_label"].tolist()[0] == "back_office"
    assert len(out.loc[0, "description"]) == len(big)


def test_duplicate_column_names_are_kept(tmp_path, tiny_model):
    src = write_csv(tmp_path / "in.csv", [("a", "b", "Run payroll")], header=("x", "x", "description"))
    label_file(src, tmp_path / "out.csv", text_column="description", model=tiny_model)
    header = (tmp_path / "out.csv").read_text().splitlines()[0].split(",")
    assert header[:3] == ["x", "x", "description"]


def test_duplicated_text_column_is_refused(tmp_path, tiny_model):
    src = write_csv(tmp_path / "in.csv", [("a", "b")], header=("description", "description"))
    with pytest.raises(ValueError, match="Column 'description' appears 2 times in in.csv; rename the duplicates"):
        label_file(src, tmp_path / "out.csv", text_column="description", model=tiny_model)


def test_existing_output_is_not_overwritten_silently(tmp_path, tiny_model):
    src = write_csv(tmp_path / "in.csv", ROWS)
    (tmp_path / "out.csv").write_text("keep me")
    with pytest.raises(OutputExistsError, match="exists; pass overwrite=True"):
        label_file(src, tmp_path / "out.csv", text_column="description", model=tiny_model)
    assert (tmp_path / "out.csv").read_text() == "keep me"


def test_output_is_never_the_input(tmp_path, tiny_model):
    src = write_csv(tmp_path / "in.csv", ROWS)
    with pytest.raises(OutputExistsError, match="is the input file"):
        label_file(src, src, text_column="description", overwrite=True, model=tiny_model)


# ---- chunks, workers, resume


def many_rows(n):
    base = [r for r in ROWS if r[2]]
    return [(str(i), base[i % 3][1], f"{base[i % 3][2]} {i}") for i in range(n)]


def test_chunking_does_not_change_the_output(tmp_path, tiny_model):
    src = write_csv(tmp_path / "in.csv", many_rows(250))
    label_file(src, tmp_path / "a.csv", text_column="description", chunk_size=1000, model=tiny_model)
    label_file(src, tmp_path / "b.csv", text_column="description", chunk_size=7, model=tiny_model)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_two_workers_give_the_same_output_in_order(tmp_path, saved_tiny_model):
    from officeclass.model import Classifier

    model = Classifier.load(saved_tiny_model)
    src = write_csv(tmp_path / "in.csv", many_rows(300))
    label_file(src, tmp_path / "one.csv", text_column="description", chunk_size=40, model=model)
    label_file(src, tmp_path / "two.csv", text_column="description", chunk_size=40, jobs=2, model=model)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_resume_after_sigkill_gives_the_uninterrupted_output(tmp_path):
    """Kill a CLI run part-way with SIGKILL, resume it, compare with a clean run."""
    src = write_csv(tmp_path / "in.csv", many_rows(6000))
    cmd = [sys.executable, "-m", "officeclass", "label", str(src), "--text-column", "description", "--chunk-size", "200", "-q"]
    subprocess.run(cmd + ["-o", str(tmp_path / "clean.csv")], check=True)

    out = tmp_path / "out.csv"
    parts = tmp_path / "out.csv.officeclass-parts"
    proc = subprocess.Popen(cmd + ["-o", str(out)])
    deadline = time.time() + 120
    while time.time() < deadline and len(list(parts.glob("part-*.json"))) < 3:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = len(list(parts.glob("part-*.json")))
    assert 3 <= done_before < 30, "the run should be killed part-way"
    assert not out.exists(), "an interrupted run must not leave a file under the final name"

    subprocess.run(cmd + ["-o", str(out), "--resume"], capture_output=True, text=True, check=True)
    assert out.read_bytes() == (tmp_path / "clean.csv").read_bytes()
    assert not parts.exists()


def test_resume_refuses_changed_options(tmp_path, tiny_model):
    src = write_csv(tmp_path / "in.csv", many_rows(50))
    parts = tmp_path / "out.csv.officeclass-parts"
    parts.mkdir()
    (parts / "manifest.json").write_text(json.dumps({"chunk_size": 999}))
    with pytest.raises(ValueError, match=r"Cannot resume .*out.csv: the interrupted run had other settings \(.*chunk_size was 999, now 2500"):
        label_file(src, tmp_path / "out.csv", text_column="description", resume=True, model=tiny_model)


def test_labelling_a_csv_into_a_csv_imports_neither_pandas_nor_scikit_learn(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,description\n1,Run the payroll.\n2,Sell to new clients.\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from officeclass import label_file\n"
        "label_file(sys.argv[1], sys.argv[2], text_column='description', jobs=1)\n"
        "print(sorted(m for m in ('pandas', 'sklearn') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(src), str(tmp_path / "out.csv")], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert len((tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()) == 3
