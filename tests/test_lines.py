"""The line tagger and the features the posting model reads from tagged lines."""

import numpy as np
import pytest

from officeclass.lines import (
    LINE_FEATURE_NAMES,
    TAGS,
    LineInputs,
    LineShares,
    LineTagger,
    context_docs,
    heading_of,
    line_features,
)

POSTINGS = [
    ["Responsibilities: greet patients at reception", "Book their appointments", "Requirements: a degree", "We offer a pension"],
    ["Duties: reconcile the ledger", "Run payroll", "Requirements: 2 years experience", "About us: a friendly firm"],
    ["Responsibilities: sell to new clients", "Close deals", "Requirements: a driving licence", "We offer a car"],
]
TAGS_OF = [["C", "C", "Q", "X"], ["I", "I", "Q", "X"], ["C", "C", "Q", "X"]]


@pytest.fixture(scope="module")
def tagger():
    return LineTagger.fit(POSTINGS, TAGS_OF, titles=["Receptionist", "Accountant", "Sales"], params={"min_df": 1, "C": 10.0})


def test_heading_is_what_precedes_a_colon_or_a_short_capitalised_line():
    assert heading_of("What you will do: sell") == "What you will do"
    assert heading_of("ABOUT THE ROLE") == "ABOUT THE ROLE"
    assert heading_of("Sell to clients") is None


def test_context_carries_heading_neighbours_title_and_position():
    docs = context_docs(["Duties: serve clients", "Post invoices", "Apply now"], "Clerk")
    assert docs[1].split() == ["h_duties", "p_duties", "p_serve", "p_clients", "n_apply", "n_now", "t_clerk", "pos_1", "len_0"]
    assert docs[0].split()[:2] == ["h_duties", "has_heading"] and "first" in docs[0].split()


def test_tagger_reads_lines_by_their_words_and_heading(tagger):
    proba = tagger.predict_proba(["Responsibilities: greet clients", "Requirements: a degree", "We offer a pension"], "Receptionist")
    assert proba.shape == (3, len(TAGS))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert [TAGS[k] for k in proba.argmax(axis=1)] == ["client_facing", "requirement", "other"]


def test_tagger_scores_many_postings_as_each_alone(tagger):
    many = tagger.proba_many(POSTINGS, ["a", "b", "c"])
    for doc, title, proba in zip(POSTINGS, ["a", "b", "c"], many):
        np.testing.assert_allclose(tagger.predict_proba(doc, title), proba)


def test_tagger_round_trips_through_plain_arrays(tagger):
    spec, arrays = tagger.arrays()
    assert all(a.dtype != object for a in arrays.values())
    again = LineTagger.from_arrays(spec, arrays)
    np.testing.assert_array_equal(again.predict_proba(POSTINGS[0], "x"), tagger.predict_proba(POSTINGS[0], "x"))


def test_tagger_rejects_unknown_tags():
    with pytest.raises(ValueError, match=r"Unknown line tags \['Z'\]; expected codes \['B', 'C', 'I', 'Q', 'X'\]"):
        LineTagger.fit([["a b"]], [["Z"]], params={"min_df": 1})


def test_tagger_rejects_lines_and_tags_of_other_lengths():
    with pytest.raises(ValueError, match="a posting has 2 lines but 1 tags."):
        LineTagger.fit([["a b", "c d"]], [["C"]], params={"min_df": 1})


def test_an_empty_posting_has_no_line_and_zero_features(tagger):
    assert tagger.proba_many([[]])[0].shape == (0, len(TAGS))
    assert line_features(np.zeros((0, len(TAGS)))).tolist() == [0.0] * len(LINE_FEATURE_NAMES)


def test_line_features_are_shares_of_the_duty_lines():
    proba = np.array([[1.0, 0, 0, 0, 0], [0, 1.0, 0, 0, 0], [0, 1.0, 0, 0, 0], [0, 0, 0, 1.0, 0]])
    front, back, both, product, duty, client, internal = line_features(proba)
    assert (front, back, both) == pytest.approx((1 / 3, 2 / 3, 0.0))
    assert product == pytest.approx(4 * (1 / 3) * (2 / 3))
    assert (duty, client, internal) == pytest.approx((np.log1p(3), np.log1p(1), np.log1p(2)))


def test_line_inputs_put_both_lines_on_both_sides():
    proba = np.array([[0.9, 0.05, 0.05, 0, 0], [0.1, 0.1, 0.8, 0, 0], [0, 0.1, 0, 0.9, 0]])
    inputs = LineInputs.from_proba([["sell", "serve and invoice", "a degree"]], [proba])
    assert inputs.client == ["sell\nserve and invoice"] and inputs.internal == ["serve and invoice"]


def test_line_shares_checks_the_width_of_its_rows():
    with pytest.raises(ValueError, match=r"expected line features of shape \(n, 7\), got \(2, 3\)"):
        LineShares().transform(np.zeros((2, 3)))
