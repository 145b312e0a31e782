"""Files and habits from the real world: what a new user hits on day one (issue 13).

Every file under tests/data/real_world/ was made for these tests and is
labelled end to end through the command line's ``main(argv)``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from officeclass import label_file, label_frame
from officeclass.cli import main
from officeclass.errors import OutputDirectoryError

DATA = Path(__file__).parent / "data" / "real_world"
LABELS = {"front_office", "back_office", "hybrid"}


def run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copy(DATA / name, tmp_path / name))


# ---- every real-world file, end to end: rows in == rows out, in order

END_TO_END = [
    ("excel_semicolon_utf8_bom.csv", [], "Job ID", 4),
    ("excel_semicolon_cp1252.csv", ["--encoding", "cp1252"], "Job ID", 4),
    ("postings_array.json", [], "id", 4),
    ("html_descriptions.csv", [], "posting_id", 2),
    ("ragged_rows.csv", ["--on-bad-lines", "report"], "id", 4),
    ("empty_cells.csv", [], "id", 5),
    ("postings.xlsx", [], "Job ID", 4),
]


def _read_any(path: Path, **kwargs) -> pd.DataFrame:
    if path.suffix == ".xlsx":
        return pd.read_excel(path)
    if path.suffix == ".json":
        return pd.DataFrame(json.loads(path.read_text(encoding="utf-8")))
    return pd.read_csv(path, dtype=str, keep_default_na=False, **kwargs)


@pytest.mark.parametrize(("name", "options", "id_column", "rows"), END_TO_END, ids=[e[0] for e in END_TO_END])
def test_each_real_world_file_is_labelled_row_for_row(name, options, id_column, rows, tmp_path, capsys):
    if name.endswith(".xlsx"):
        pytest.importorskip("openpyxl")
    src = copy(name, tmp_path)
    out = tmp_path / ("out" + src.suffix)
    code, _, err = run(["label", str(src), "-o", str(out), *options], capsys)
    assert code == 0, err
    result = _read_any(out, sep=None, engine="python", encoding="utf-8-sig") if out.suffix == ".csv" else _read_any(out)
    source = pd.read_excel(src) if src.suffix == ".xlsx" else (pd.DataFrame(json.loads(src.read_text())) if src.suffix == ".json" else None)
    assert len(result) == rows
    if source is not None:
        assert result[id_column].astype(str).tolist() == source[id_column].astype(str).tolist()
    labelled = result["officeclass_status"].isin(["ok", "no_known_terms"])
    assert set(result.loc[labelled, "officeclass_label"]) <= LABELS


# ---- 1. an unclosed quote is a malformed file, not one giant cell

UNCLOSED = (
    "officeclass: error: Line 2 of unclosed_quote.csv opens a quoted field that is never closed, so every line after it would be one cell. "
    'Close that quote (a quote inside a quoted cell is written twice: ""), or pass --on-bad-lines skip (drop that row) or report (keep it, marked bad_row).'
)


def test_unclosed_quote_is_an_error_naming_its_line(tmp_path, capsys):
    code, _, err = run(["label", str(copy("unclosed_quote.csv", tmp_path)), "-o", str(tmp_path / "out.csv")], capsys)
    assert code == 1
    assert err.strip() == UNCLOSED
    assert not (tmp_path / "out.csv").exists()


def test_unclosed_quote_with_report_is_marked_and_counted(tmp_path, capsys):
    code, _, err = run(["label", str(copy("unclosed_quote.csv", tmp_path)), "-o", str(tmp_path / "out.csv"), "--on-bad-lines", "report"], capsys)
    assert code == 0
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert out["officeclass_status"].tolist() == ["bad_row"]
    assert "malformed rows at lines 2" in err


# ---- 2. the HTML cleaner keeps "<5 years" (text-level tests are in test_text.py)


def test_html_file_keeps_text_that_looks_like_a_tag(tmp_path, capsys):
    code, out, _ = run(["label", str(copy("html_descriptions.csv", tmp_path)), "-o", "-", "--explain", "-q"], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["officeclass_label"] == "back_office"
    assert "track" not in rows[1]["officeclass_top_terms"]  # <script> contents are dropped


# ---- 3. empty text gets no label


def test_empty_rows_have_an_empty_label_and_no_probabilities(tmp_path, capsys):
    code, out, _ = run(["label", str(copy("empty_cells.csv", tmp_path)), "-o", "-", "-q"], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["officeclass_status"] for r in rows] == ["ok", "empty_text", "ok", "empty_text", "ok"]
    for r in rows:
        if r["officeclass_status"] == "empty_text":
            assert r["officeclass_label"] == "" and r["officeclass_p_back_office"] == "" and r["officeclass_abstained"] == "true"


def test_classify_of_an_empty_text_is_an_error(capsys):
    code, out, err = run(["classify", ""], capsys)
    assert (code, out) == (1, "")
    assert err.startswith("officeclass: error: classify() got no text to read")


# ---- 4. one rule for the title column


def test_label_frame_and_label_file_use_the_same_title_column(tmp_path, capsys):
    src = copy("html_descriptions.csv", tmp_path)
    frame = label_frame(pd.read_csv(src, dtype=str, keep_default_na=False))
    assert frame.attrs["officeclass"] == {"text_column": "Posting Text", "title_column": "Position"}
    summary = label_file(src, tmp_path / "out.csv")
    assert (summary.text_column, summary.title_column) == ("Posting Text", "Position")
    from_file = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert from_file["officeclass_p_hybrid"].astype(float).round(6).tolist() == frame["officeclass_p_hybrid"].round(6).tolist()
    without = label_frame(pd.read_csv(src, dtype=str, keep_default_na=False), title_column=None)
    assert without.attrs["officeclass"]["title_column"] is None


def test_evaluate_reports_the_columns_it_used(tmp_path, capsys):
    src = tmp_path / "gold.csv"
    src.write_text("title,description,gold\nSales Executive,Sell to new clients and close deals,front_office\n", encoding="utf-8")
    code, _, err = run(["evaluate", str(src), "--label-column", "gold"], capsys)
    assert code == 0
    assert "officeclass: text column 'description', title column 'title'" in err


# ---- 5. delimiters


def test_semicolon_csv_is_read_and_written_with_semicolons(tmp_path, capsys):
    code, out, _ = run(["label", str(copy("excel_semicolon_utf8_bom.csv", tmp_path)), "-o", "-", "-q"], capsys)
    assert code == 0
    header = out.lstrip("\ufeff").splitlines()[0]
    assert header.startswith("Job ID;Job Title;Job Description;officeclass_label;")


def test_delimiter_option_overrides_the_sniffed_one(tmp_path, capsys):
    src = tmp_path / "pipes.csv"
    src.write_text("id|description\n1|Sell to new clients; close deals\n", encoding="utf-8")
    code, out, _ = run(["label", str(src), "-o", "-", "-q", "--delimiter", "|"], capsys)
    assert code == 0
    assert out.splitlines()[1].startswith("1|Sell to new clients; close deals|")


# ---- 6. column guesses


@pytest.mark.parametrize("text", ["Job Description", "job_description", "Description", "Job Summary", "Posting Text", "body"])
@pytest.mark.parametrize("title", ["Job Title", "Position", "Role"])
def test_column_names_people_use_are_guessed(text, title):
    out = label_frame(pd.DataFrame({"ID": ["1"], title: ["Sales Executive"], text: ["Sell to new clients and close deals."]}))
    assert out.attrs["officeclass"] == {"text_column": text, "title_column": title}


def test_a_tie_between_text_columns_names_both(tmp_path, capsys):
    src = tmp_path / "tie.csv"
    src.write_text("Description,Body\na,b\n", encoding="utf-8")
    code, _, err = run(["label", str(src), "-o", "-"], capsys)
    assert code == 2
    assert "2 columns could be it ('Description', 'Body')" in err


# ---- 7. Excel workbooks


def test_xlsx_in_and_out_keeps_rows_order_and_types(tmp_path, capsys):
    pytest.importorskip("openpyxl")
    code, _, err = run(["label", str(copy("postings.xlsx", tmp_path)), "-o", str(tmp_path / "out.xlsx")], capsys)
    assert code == 0, err
    out = pd.read_excel(tmp_path / "out.xlsx", sheet_name="officeclass")
    assert out["Job ID"].tolist() == ["J-101", "J-102", "J-103", "J-104"]
    assert out["Salary"].tolist() == [30000, 31000, 32000, 33000]  # numbers stay numbers
    assert set(out["officeclass_label"]) <= LABELS


def test_xlsx_without_openpyxl_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    code, _, err = run(["label", str(copy("postings.xlsx", tmp_path)), "-o", str(tmp_path / "out.csv")], capsys)
    assert code == 1
    assert err.strip() == "officeclass: error: Excel files (.xlsx) need openpyxl: pip install 'officeclass[excel]'."


# ---- 8. JSON arrays


def test_json_array_is_read_as_records_and_written_as_an_array(tmp_path, capsys):
    code, _, err = run(["label", str(copy("postings_array.json", tmp_path)), "-o", str(tmp_path / "out.json")], capsys)
    assert code == 0, err
    records = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == ["J-101", "J-102", "J-103", "J-104"]
    assert "text column 'body', title column 'job_title'" in err


def test_jsonl_stays_json_lines(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text('{"description": "Sell to new clients"}\n{"description": "Run the payroll"}\n', encoding="utf-8")
    code, _, _ = run(["label", str(src), "-o", str(tmp_path / "out.jsonl"), "-q"], capsys)
    assert code == 0
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 2


# ---- 9. encodings


def test_unknown_encoding_is_a_one_line_usage_error(tmp_path, capsys):
    code, out, err = run(["label", str(copy("empty_cells.csv", tmp_path)), "-o", "-", "--encoding", "foo"], capsys)
    assert (code, out) == (2, "")
    assert err.strip() == "officeclass: error: Unknown encoding 'foo'; use one Python knows, e.g. utf-8, latin-1, cp1252 or utf-16."


def test_a_bad_byte_is_reported_on_its_own_line(tmp_path, capsys):
    src = tmp_path / "late.csv"
    src.write_bytes(b"id,description\n" + b"".join(b"%d,Sell to clients\n" % i for i in range(1, 6)) + b"6,Caf\xe9 manager\n")
    code, _, err = run(["label", str(src), "-o", str(tmp_path / "out.csv")], capsys)
    assert code == 1
    assert "late.csv is not valid utf-8 text (byte b'\\xe9' on line 7)" in err
    assert "--encoding cp1252" in err


def test_parquet_on_stdin_is_refused_with_the_fix(tmp_path):
    df = pd.DataFrame({"description": ["Sell to new clients"]})
    df.to_parquet(tmp_path / "in.parquet")
    with open(tmp_path / "in.parquet", "rb") as stdin:
        proc = subprocess.run([sys.executable, "-m", "officeclass", "label", "-", "-o", "-"], stdin=stdin, capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "officeclass: error: stdin holds Parquet, and stdin takes CSV only; pass the file path instead of -."


def test_excel_bom_is_written_when_asked_and_when_the_input_had_one(tmp_path, capsys):
    run(["label", str(copy("empty_cells.csv", tmp_path)), "-o", str(tmp_path / "a.csv"), "--excel-bom", "-q"], capsys)
    assert (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbfid,title,description,")
    run(["label", str(copy("excel_semicolon_utf8_bom.csv", tmp_path)), "-o", str(tmp_path / "b.csv"), "-q"], capsys)
    assert (tmp_path / "b.csv").read_bytes().startswith(b"\xef\xbb\xbfJob ID;")
    run(["label", str(copy("empty_cells.csv", tmp_path)), "-o", str(tmp_path / "c.csv"), "-q"], capsys)
    assert (tmp_path / "c.csv").read_bytes().startswith(b"id,")


# ---- 10. a closed stdout ends quietly


def test_output_piped_into_head_ends_quietly(tmp_path):
    src = tmp_path / "many.csv"
    src.write_text("description\n" + "".join(f"Sell to new clients number {i}\n" for i in range(3000)), encoding="utf-8")
    proc = subprocess.run(
        f"{sys.executable} -m officeclass label {src} -q | head -2", shell=True, capture_output=True, text=True, executable="/bin/bash", check=False,
    )
    status = subprocess.run(
        f"{sys.executable} -m officeclass label {src} -q | head -2 >/dev/null; echo ${{PIPESTATUS[0]}}",
        shell=True, capture_output=True, text=True, executable="/bin/bash", check=True,
    )
    assert len(proc.stdout.splitlines()) == 2
    assert "Broken pipe" not in proc.stderr and "Error" not in proc.stderr
    assert status.stdout.strip() == "0"


# ---- 11. a terminal that behaves


def test_cli_messages_name_cli_options(tmp_path, capsys):
    src = copy("empty_cells.csv", tmp_path)
    (tmp_path / "out.csv").write_text("x\n")
    code, _, err = run(["label", str(src), "-o", str(tmp_path / "out.csv")], capsys)
    assert code == 1
    assert err.strip() == f"officeclass: error: Output {str(tmp_path / 'out.csv')!r} exists; pass --overwrite or choose another path."
    with pytest.raises(FileExistsError, match=r"pass overwrite=True \(CLI: --overwrite\)"):
        label_file(src, tmp_path / "out.csv")


def test_jobs_zero_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(["label", str(copy("empty_cells.csv", tmp_path)), "-o", "-", "--jobs", "0"], capsys)
    assert code == 2
    assert err.strip() == "officeclass label: error: --jobs must be a positive number of processes or -1 for all cores, got 0."


def test_verbose_works_after_the_command(tmp_path, capsys):
    code, _, err = run(["label", str(tmp_path / "missing.csv"), "-o", "-", "-v"], capsys)
    assert code == 1
    assert "Traceback" in err


def test_a_misspelt_option_gets_a_suggestion(tmp_path, capsys):
    code, _, err = run(["label", str(copy("empty_cells.csv", tmp_path)), "--text-collumn", "description"], capsys)
    assert code == 2
    assert "unrecognized arguments: --text-collumn description (did you mean --text-column?)" in err


def test_abbreviated_options_are_not_taken(tmp_path, capsys):
    code, _, err = run(["label", str(copy("empty_cells.csv", tmp_path)), "--text-col", "description"], capsys)
    assert code == 2
    assert "unrecognized arguments: --text-col description" in err


def test_a_misspelt_title_option_fails_instead_of_becoming_the_text(capsys):
    code, out, err = run(["classify", "--titel", "Sales", "Sell stuff"], capsys)
    assert (code, out) == (2, "")
    assert "--titel" in err and "did you mean --title?" in err


# ---- 12. a retrained model from the command line


def test_model_option_and_environment_variable(saved_tiny_model, monkeypatch, capsys):
    code, out, _ = run(["classify", "--json", "--model", str(saved_tiny_model), "Sell to new clients and close deals"], capsys)
    assert code == 0 and json.loads(out)["model_version"].startswith("officeclass-test-")
    monkeypatch.setenv("OFFICECLASS_MODEL", str(saved_tiny_model))
    code, out, _ = run(["info"], capsys)
    assert code == 0 and "officeclass-test-" in out and str(saved_tiny_model) in out


def test_label_with_a_model_records_its_version(saved_tiny_model, tmp_path, capsys):
    code, out, _ = run(["label", str(copy("empty_cells.csv", tmp_path)), "-o", "-", "-q", "--model", str(saved_tiny_model)], capsys)
    assert code == 0
    versions = {r["officeclass_model_version"] for r in csv.DictReader(io.StringIO(out))}
    assert len(versions) == 1 and versions.pop().startswith("officeclass-test-")


def test_a_missing_model_file_is_named(capsys, tmp_path):
    code, _, err = run(["classify", "--model", str(tmp_path / "nope.skops"), "Sell"], capsys)
    assert code == 1
    assert f"No model file at {tmp_path / 'nope.skops'}" in err


# ---- 13. train outside a clone says what to pass


def test_train_outside_a_clone_names_the_paths_to_pass(tmp_path, monkeypatch, capsys):
    from officeclass import train

    monkeypatch.setattr(train, "REPO", tmp_path / "site-packages")
    monkeypatch.chdir(tmp_path)
    assert train.main([]) == 1
    err = capsys.readouterr().err
    assert "error: no corpus at datasets/corpus.csv.gz under the current directory" in err
    assert "or pass --corpus PATH" in err


# ---- 14. output directories and resuming


def test_output_in_a_missing_directory_is_refused_unless_parents(tmp_path, capsys):
    src = copy("empty_cells.csv", tmp_path)
    code, _, err = run(["label", str(src), "-o", str(tmp_path / "missing_dir" / "out.csv")], capsys)
    assert code == 1
    assert f"Directory {tmp_path / 'missing_dir'} does not exist" in err
    assert not (tmp_path / "missing_dir").exists()
    assert run(["label", str(src), "-o", str(tmp_path / "missing_dir" / "out.csv"), "--parents", "-q"], capsys)[0] == 0
    with pytest.raises(OutputDirectoryError):
        label_file(src, tmp_path / "other" / "out.csv")


def test_resume_of_a_finished_output_does_nothing(tmp_path, capsys):
    src = copy("empty_cells.csv", tmp_path)
    out = tmp_path / "out.csv"
    assert run(["label", str(src), "-o", str(out), "-q"], capsys)[0] == 0
    before = out.stat().st_mtime_ns
    code, _, err = run(["label", str(src), "-o", str(out), "--resume"], capsys)
    assert code == 0
    assert "is already complete: nothing to resume" in err
    assert out.stat().st_mtime_ns == before


def test_resume_with_other_settings_names_the_original_value(tmp_path):
    src = copy("empty_cells.csv", tmp_path)
    parts = tmp_path / "out.csv.officeclass-parts"
    parts.mkdir()
    from officeclass.batch import _manifest, _Plan  # the manifest a run with chunk_size 2500 writes

    plan = _Plan(str(src), str(tmp_path / "out.csv"), "csv", False, "csv", False, "description", "title", {"chunk_size": 2500})
    (parts / "manifest.json").write_text(json.dumps(_manifest(plan, "v")))
    with pytest.raises(ValueError, match=re.escape("chunk_size was 2500, now 1000")):
        label_file(src, tmp_path / "out.csv", resume=True, chunk_size=1000)
    assert os.path.isdir(parts)
