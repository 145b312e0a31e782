"""Training with your own labelled postings (``python -m officeclass.train --extra``)."""

import re

import pytest

from officeclass.errors import ColumnNotFoundError, InputValueError
from officeclass.train import main, read_extra


def _csv(tmp_path, text, name="mine.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_extra_postings_become_one_more_hand_labelled_board(tmp_path):
    path = _csv(tmp_path, "title,text,label\nTeller,Serve  customers and process deposits.,hybrid\n,Run payroll.,back_office\n")
    rows = read_extra(path)
    assert rows[["source", "source_id", "kind", "label_origin", "label"]].values.tolist() == [
        ["extra:mine", "2", "posting", "hand", "hybrid"],
        ["extra:mine", "3", "posting", "hand", "back_office"],
    ]
    assert rows["text"].tolist() == ["Serve customers and process deposits.", "Run payroll."]
    assert rows["title"].tolist() == ["Teller", ""]


def test_extra_without_a_title_column_has_empty_titles(tmp_path):
    rows = read_extra(_csv(tmp_path, "text,label\nRun payroll.,back_office\n"))
    assert rows["title"].tolist() == [""]


def test_extra_missing_text_column_names_the_columns_it_has(tmp_path):
    path = _csv(tmp_path, "title,description,label\nTeller,Serve customers.,hybrid\n")
    with pytest.raises(ColumnNotFoundError, match=r"^Column 'text' not in mine.csv; available: title, description, label.$"):
        read_extra(path)


def test_extra_unknown_labels_are_listed_with_their_lines(tmp_path):
    path = _csv(tmp_path, "text,label\nSell.,front\nRun payroll.,back_office\nFile.,Back Office\n")
    message = "mine.csv: 2 rows with unknown labels: line 2 ('front'), line 4 ('Back Office'); use one of front_office, back_office, hybrid."
    with pytest.raises(InputValueError, match=f"^{re.escape(message)}$"):
        read_extra(path)


def test_extra_rows_without_text_are_refused(tmp_path):
    path = _csv(tmp_path, "text,label\n   ,back_office\n")
    with pytest.raises(InputValueError, match=r"^mine.csv: 1 row with no text: line 2; drop those rows or fill in the posting text.$"):
        read_extra(path)


def test_train_with_a_bad_extra_file_fails_before_training(tmp_path, capsys):
    corpus = _csv(tmp_path, "unused", name="corpus.csv")
    extra = _csv(tmp_path, "text,label\nSell.,front\n")
    assert main(["--corpus", str(corpus), "--extra", str(extra), "--out", str(tmp_path / "model")]) == 1
    assert capsys.readouterr().err == (
        "error: mine.csv: 1 row with unknown labels: line 2 ('front'); use one of front_office, back_office, hybrid.\n"
    )


def test_train_with_extra_needs_its_own_output_folder(tmp_path, capsys):
    corpus = _csv(tmp_path, "unused", name="corpus.csv")
    extra = _csv(tmp_path, "text,label\nRun payroll.,back_office\n")
    assert main(["--corpus", str(corpus), "--extra", str(extra)]) == 2
    assert "--extra needs --out" in capsys.readouterr().err
