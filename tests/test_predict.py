import dataclasses
import math
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from officeclass import InputTypeError, InputValueError, Prediction, classify, classify_many
from officeclass.labels import LABELS
from officeclass.predict import STATUSES


def _valid(p: Prediction) -> None:
    if p.status == "empty_text":
        assert p.label is None and p.abstained and p.explanation is None
        assert all(math.isnan(v) for v in p.probabilities.values())
        return
    assert p.label in LABELS
    assert list(p.probabilities) == list(LABELS)
    assert math.isclose(sum(p.probabilities.values()), 1.0, abs_tol=1e-9)
    assert all(0.0 <= v <= 1.0 for v in p.probabilities.values())
    assert p.label == max(p.probabilities, key=p.probabilities.get)
    assert p.status in STATUSES
    assert isinstance(p.abstained, bool)


def test_prediction_is_frozen(tiny_model):
    p = classify("run payroll", model=tiny_model)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.label = "hybrid"
    with pytest.raises(TypeError):
        p.probabilities["hybrid"] = 1.0


def test_classify_rejects_a_list_and_points_to_classify_many():
    with pytest.raises(InputTypeError, match=r"^classify\(\) expects text as a str, got list. Use classify_many\(\) for several postings.$"):
        classify(["a", "b"])


def test_classify_rejects_none():
    with pytest.raises(InputTypeError, match=r"^classify\(\) expects text as a str, got NoneType.$"):
        classify(None)


def test_classify_rejects_non_str_title(tiny_model):
    with pytest.raises(InputTypeError, match=r"^classify\(\) expects title as a str or None, got int.$"):
        classify("text", title=3, model=tiny_model)


def test_input_type_error_is_a_type_error():
    with pytest.raises(TypeError):
        classify(42)


def test_classify_many_rejects_a_single_string():
    with pytest.raises(InputTypeError, match=r"texts must be an iterable of str, got a single str. Use classify\(text\) for one posting."):
        classify_many("one posting")


def test_classify_many_rejects_non_str_items_with_their_position(tiny_model):
    with pytest.raises(InputTypeError, match=r"texts\[1\] is a int, expected str"):
        classify_many(["ok", 5], model=tiny_model)


def test_classify_many_needs_one_title_per_text(tiny_model):
    with pytest.raises(InputValueError, match=r"^titles has 1 items but texts has 2; pass one title per text \(use '' where there is none\).$"):
        classify_many(["a", "b"], titles=["t"], model=tiny_model)


def test_classify_many_keeps_order_and_length(tiny_model):
    texts = ["run payroll and ledger", "close sales deals with clients", "", "serve customers and process transactions"] * 5
    preds = classify_many(texts, model=tiny_model)
    assert len(preds) == len(texts)
    assert [p.status == "empty_text" for p in preds] == [t == "" for t in texts]
    preds = [p for p, t in zip(preds, texts) if t]
    singles = [classify(t, model=tiny_model) for t in texts if t]
    assert [p.label for p in preds] == [p.label for p in singles]
    for batch, single in zip(preds, singles):
        assert list(batch.probabilities.values()) == pytest.approx(list(single.probabilities.values()), abs=1e-12)


def test_classify_many_accepts_generators_and_empty_input(tiny_model):
    assert classify_many((t for t in []), model=tiny_model) == []
    assert len(classify_many((t for t in ["a", "b"]), model=tiny_model)) == 2


EMPTY_MESSAGE = (
    "classify() got no text to read (empty, blank or only markup) and no title: there is nothing to classify. "
    "Pass the posting's description (or its title=); classify_many() accepts empty rows and marks them status='empty_text' with label None."
)


@pytest.mark.parametrize("text", ["", "   \n\t", "<p></p>", "&nbsp;"])
def test_classify_refuses_an_empty_text(text, tiny_model):
    with pytest.raises(InputValueError, match=re.escape(EMPTY_MESSAGE)):
        classify(text, model=tiny_model)


@pytest.mark.parametrize("empty", [None, float("nan"), "", "  <br> "])
def test_empty_rows_in_classify_many_have_no_label(empty, tiny_model):
    a, p, b = classify_many(["close sales deals", empty, "run the payroll"], model=tiny_model)
    assert (p.status, p.abstained, p.label, p.explanation) == ("empty_text", True, None, None)
    assert all(math.isnan(v) for v in p.probabilities.values()) and math.isnan(p.confidence)
    assert [a.label, b.label] == ["front_office", "back_office"]


def test_text_with_no_known_word_abstains_with_its_prior_label(tiny_model):
    p = classify("zxqv wvvt qqqq", model=tiny_model)
    assert (p.status, p.abstained) == ("no_known_terms", True)
    assert p.label in LABELS
    assert {c.field for c in p.explanation.contributions} <= {"lines"}


def test_title_alone_is_enough_to_classify(tiny_model):
    p = classify("", title="Sales Executive", model=tiny_model)
    assert p.status == "ok"
    assert p.label == "front_office"


def test_huge_text_is_handled(tiny_model):
    p = classify("payroll ledger " * 700_000, model=tiny_model)  # ~10 MB
    _valid(p)
    assert p.label == "back_office"


def test_binary_junk_gives_a_valid_prediction(tiny_model):
    junk = bytes(range(256)).decode("latin-1") * 10
    _valid(classify(junk, model=tiny_model))


def test_html_is_cleaned_before_classifying(tiny_model):
    p = classify("<div><b>Close sales</b> deals with <i>clients</i></div>", model=tiny_model)
    assert "<" not in p.explanation.text
    assert p.label == "front_office"


@settings(max_examples=150, deadline=None)
@given(st.text(), st.one_of(st.none(), st.text()))
def test_any_string_gives_a_valid_prediction(tiny_model, text, title):
    try:
        p = classify(text, title=title, model=tiny_model)
    except InputValueError as exc:
        assert str(exc) == EMPTY_MESSAGE
        (p,) = classify_many([text], titles=None if title is None else [title], model=tiny_model)
        assert p.status == "empty_text"
    _valid(p)


# ---- the shipped model


def test_default_model_labels_clear_cases():
    assert classify("Cold-call prospects, run product demos and close new sales deals to hit quota.", title="Sales Representative").label == "front_office"
    assert classify("Run the monthly payroll, reconcile the general ledger and prepare VAT returns.", title="Payroll Accountant").label == "back_office"


def test_default_prediction_carries_model_version():
    p = classify("Maintain the data warehouse and ETL pipelines.")
    assert p.model_version.startswith("officeclass-")
    assert p.explanation is not None


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=2000))
def test_default_model_any_string_valid(text):
    (p,) = classify_many([text])
    _valid(p)


def test_import_does_not_load_the_model():
    code = (
        "import officeclass, sys\n"
        "from officeclass import classify\n"
        "import officeclass.predict as p\n"
        "assert p._load_default.cache_info().currsize == 0\n"
        "classify('payroll')\n"
        "assert p._load_default.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_large_inputs_are_scored_in_slices_with_identical_results(tiny_model, monkeypatch):
    import officeclass.predict as predict

    texts = [f"close sales deals {i}" if i % 2 else f"run payroll {i}" for i in range(11)]
    whole = classify_many(texts, model=tiny_model)
    monkeypatch.setattr(predict, "SLICE", 3)
    sliced = classify_many(texts, model=tiny_model)
    assert [p.probabilities for p in sliced] == [p.probabilities for p in whole]
    assert [p.explanation.score for p in sliced] == [p.explanation.score for p in whole]
