import numpy as np
import pandas as pd
import pytest

from officeclass import classify, top_terms
from officeclass.labels import LABELS


@pytest.fixture()
def prediction(tiny_model):
    return classify("Close sales deals with new clients & grow <b>revenue</b>; payroll aside.", title="Sales Executive", model=tiny_model)


def test_contributions_add_up_to_the_decision_score(prediction, tiny_model):
    e = prediction.explanation
    X = tiny_model.features([e.text], [e.title])
    k = LABELS.index(e.label)
    decision = tiny_model.decision(X)[0, k]
    assert e.intercept + sum(c.contribution for c in e.contributions) == pytest.approx(decision, abs=1e-9)
    assert e.score == pytest.approx(decision, abs=1e-12)


def test_each_contribution_is_value_times_weight(prediction):
    for c in prediction.explanation.contributions:
        assert c.contribution == pytest.approx(c.value * c.weight)
        assert c.field in ("title", "text", "roles")


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
    assert out.startswith(("Front office", "Back office", "Hybrid"))
    assert "front office roles (seed lexicon): sales" in out


def test_html_rendering_highlights_and_escapes(prediction):
    html = prediction.explanation.to_html()
    assert "<mark" in html and ">sales<" in html.lower()
    assert "&amp;" in html  # the '&' of the text is escaped
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
