import numpy as np
import pandas as pd
import pytest

from officeclass import classify, top_terms
from officeclass.labels import LABELS


@pytest.fixture()
def prediction(tiny_model):
    return classify("Close sales deals with new clients & grow <b>revenue</b>; payroll aside.", title="Sales Executive", model=tiny_model)


def test_contributions_add_up_to_the_margin_over_the_runner_up(prediction, tiny_model):
    e = prediction.explanation
    X = tiny_model.features([e.text], [e.title])
    decision = tiny_model.decision(X)[0]
    k, r = LABELS.index(e.label), LABELS.index(e.runner_up)
    assert r == sorted(range(3), key=lambda j: -decision[j])[1]
    assert e.intercept + sum(c.contribution for c in e.contributions) == pytest.approx(decision[k] - decision[r], abs=1e-9)
    assert e.score == pytest.approx(decision[k] - decision[r], abs=1e-12) and e.score >= 0


def test_each_contribution_is_value_times_weight(prediction):
    fields = set()
    for c in prediction.explanation.contributions:
        assert c.contribution == pytest.approx(c.value * c.weight)
        fields.add(c.field)
    assert fields <= {"title", "text", "roles", "lines", "client_lines", "internal_lines"}
    assert "lines" in fields


def test_back_office_words_push_for_back_office():
    """A margin reads the right way round: payroll work pushes for back office, not against it."""
    e = classify("Reconcile accounts payable and run the monthly payroll.").explanation
    assert e.label == "back_office"
    pushes = {c.term: c.contribution for c in e.contributions if c.field == "text"}
    assert pushes["payroll"] > 0 and pushes["accounts"] > 0


def test_lines_carry_tags_probabilities_and_spans_into_the_original_text():
    raw = "About us: a friendly bank.\n\n\u2022 Greet customers at the counter and answer their questions\n\u2022 Balance the cash drawer and file the daily reports\nRequirements: 2 years of experience"
    e = classify(raw, title="Bank Teller").explanation
    assert [line.text for line in e.lines] == [
        "About us: a friendly bank.",
        "Greet customers at the counter and answer their questions",
        "Balance the cash drawer and file the daily reports",
        "Requirements: 2 years of experience",
    ]
    for line in e.lines:
        assert raw[line.start : line.end] == line.text
        assert line.tag == max(line.probabilities, key=line.probabilities.get)
        assert sum(line.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert [line.tag for line in e.lines][1:] == ["client_facing", "internal", "requirement"]


def test_text_rendering_counts_duty_lines_and_quotes_both_sides():
    e = classify(
        "Greet customers at the counter and answer their questions.\nBalance the cash drawer and file the daily reports.\n"
        "Requirements: 2 years of experience.",
        title="Bank Teller",
    ).explanation
    out = e.to_text()
    assert "2 duty lines: 1 client-facing, 1 internal (of 3 lines)" in out
    assert "client-facing" in out and "Greet customers at the counter" in out and "Balance the cash drawer" in out
    assert out.startswith(("Front office over", "Back office over", "Hybrid over"))


def test_lines_frame_has_one_row_per_line(prediction):
    df = prediction.explanation.lines_frame()
    assert list(df.columns) == ["line", "start", "end", "tag", "text", "p_client_facing", "p_internal", "p_both", "p_requirement", "p_other"]
    assert len(df) == len(prediction.explanation.lines)


def test_top_terms_are_sorted_by_push(prediction):
    pos = prediction.explanation.top(5)
    neg = prediction.explanation.top(5, direction="against")
    assert all(c.contribution > 0 for c in pos) and all(c.contribution < 0 for c in neg)
    assert [c.contribution for c in pos] == sorted((c.contribution for c in pos), reverse=True)


def test_top_rejects_unknown_direction(prediction):
    with pytest.raises(ValueError, match="direction must be 'for' or 'against', got 'up'."):
        prediction.explanation.top(3, direction="up")


def test_roles_have_spans_into_the_normalised_text(prediction):
    e = prediction.explanation
    assert {"sales", "payroll"} <= {r.term for r in e.roles}
    for r, field in zip(e.roles, e.role_fields):
        source = e.text if field == "text" else e.title
        assert source[r.start : r.end] == r.matched


def test_text_rendering_names_label_and_roles(prediction):
    out = prediction.explanation.to_text()
    assert out.startswith(("Front office over", "Back office over", "Hybrid over"))
    assert "front office roles (seed lexicon): sales" in out


def test_html_rendering_shades_lines_by_tag_and_escapes(prediction):
    html = prediction.explanation.to_html()
    assert "<mark" in html and ">sales<" in html.lower()
    assert "&amp;" in html  # the '&' of the text is escaped
    assert html.count('<div style="background:') == len(prediction.explanation.lines)
    assert prediction.explanation._repr_html_() == html


def test_frames(prediction):
    df = prediction.explanation.to_frame()
    assert list(df.columns) == ["term", "field", "value", "weight", "contribution"]
    assert len(df) == len(prediction.explanation.contributions)
    roles = prediction.explanation.roles_frame()
    assert set(roles["label"]) <= set(LABELS)


def test_global_top_terms(tiny_model):
    df = top_terms(tiny_model, n=3)
    assert isinstance(df, pd.DataFrame)
    assert df.groupby("label").size().to_dict() == {lab: 3 for lab in LABELS}
    for lab, group in df.groupby("label"):
        assert np.all(np.diff(group["weight"].to_numpy()) <= 0)
