import functools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from officeclass.labels import LABELS
from officeclass.lexicon import SEED_FILES, find_roles, load_lexicon


def test_every_entry_has_a_known_label_and_seed():
    entries = load_lexicon()
    assert len(entries) > 80
    for e in entries:
        assert e.label in LABELS
        assert e.seeds and set(e.seeds) <= set(SEED_FILES), e.term
        assert e.evidence


def test_terms_are_unique():
    terms = [e.term.lower() for e in load_lexicon()]
    assert len(terms) == len(set(terms))


def test_each_term_is_backed_by_a_word_of_its_seed_article(shared_data):
    """Each entry cites a seed that really contains one of the term's words (or its stem: "bill" for "billing")."""
    seeds = {}
    for number, name in SEED_FILES.items():
        path = shared_data.parent / "seeds" / name.split(":")[0]
        seeds[number] = re.sub(r"[^a-z0-9]+", " ", path.read_text(encoding="utf-8").lower())
    for e in load_lexicon():
        words = [w for w in re.sub(r"[^a-z0-9]+", " ", e.term.lower()).split() if len(w) >= 2]
        seed_words = set(" ".join(seeds[s] for s in e.seeds).split())
        assert any(w in seed_words or any(len(s) >= 4 and len(w) >= 4 and (w.startswith(s) or s.startswith(w)) for s in seed_words) for w in words), (
            f"{e.term!r} not found in seeds {e.seeds}"
        )


def test_find_roles_prefers_the_longest_term():
    assert [m.term for m in find_roles("Sales and trading analyst")] == ["sales and trading"]


def test_find_roles_spans_index_the_text():
    text = "We need payroll processing and HR support."
    for m in find_roles(text):
        assert text[m.start : m.end] == m.matched


def test_it_matches_only_in_capitals():
    assert [m.term for m in find_roles("it is IT work")] == ["IT"]


@pytest.mark.parametrize("spelling", ["after-sales", "after sales", "aftersales", "After-Sales"])
def test_hyphen_and_space_variants_match(spelling):
    assert [m.term for m in find_roles(f"provide {spelling} service")] == ["after-sales"]


def test_find_roles_needs_word_boundaries():
    assert find_roles("salesforce wholesales ITEM") == ()


def test_find_roles_carries_label_and_seed():
    (m,) = find_roles("general ledger")
    assert (m.label, m.seeds) == ("back_office", ("004",))


@functools.cache
def _whole_lexicon_patterns():
    from officeclass.lexicon import _pattern

    entries = load_lexicon()
    return _pattern([e.term for e in entries if e.case_sensitive], 0), _pattern([e.term for e in entries if not e.case_sensitive], re.IGNORECASE)


def _find_roles_token_by_token(text):
    """The plain matcher find_roles must agree with: the whole lexicon is tried at every token."""
    from officeclass.lexicon import _TOKEN, _index, _role_match

    _, _, first_exact, first_folded = _index()
    pat_exact, pat_folded = _whole_lexicon_patterns()
    matches, last_end = [], 0
    for token in _TOKEN.finditer(text):
        start, word = token.start(), token.group()
        if start < last_end:
            continue
        best = pat_exact.match(text, start) if word in first_exact else None
        if word.lower() in first_folded:
            m = pat_folded.match(text, start)
            if m is not None and (best is None or m.end() > best.end()):
                best = m
        if best is None:
            continue
        matches.append(_role_match(best))
        last_end = best.end()
    return tuple(matches)


_lexicon_words = sorted({w for e in load_lexicon() for w in re.findall(r"\w+", e.term)})


@given(st.lists(st.one_of(st.sampled_from(_lexicon_words), st.sampled_from(_lexicon_words).map(str.upper), st.text(max_size=6),
                          st.sampled_from([" ", "-", " and ", "\u212a", "\u0130", "\u017f", "_"])), max_size=30).map("".join))
def test_find_roles_finds_what_a_token_by_token_scan_finds(text):
    find_roles.cache_clear()
    assert find_roles(text) == _find_roles_token_by_token(text)


def test_find_roles_agrees_with_a_token_by_token_scan_on_real_postings(shared_data):
    import csv

    with open(shared_data / "train_labels.csv", encoding="utf-8", newline="") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    assert [find_roles(t) for t in texts] == [_find_roles_token_by_token(t) for t in texts]


def test_lower_casing_keeps_every_character_a_word_character_or_not():
    # find_roles_in_words relies on it: the lower-cased text's words line up with the text's own
    import sys

    changed = [
        hex(i)
        for i in range(sys.maxunicode + 1)
        if len(low := chr(i).lower()) == 1 and (chr(i).isalnum() or chr(i) == "_") != (low.isalnum() or low == "_")
    ]
    assert changed == []


def _plain_words(text):
    return re.findall(r"(?u)\b\w\w+\b", text.lower())


@given(st.lists(st.one_of(st.sampled_from(_lexicon_words), st.sampled_from(_lexicon_words).map(str.upper), st.text(max_size=6),
                          st.sampled_from([" ", "-", " and ", "\u212a", "\u0130", "\u017f", "_"])), max_size=30).map("".join))
def test_find_roles_from_known_words_equals_find_roles(text):
    from officeclass.lexicon import find_roles_in_words

    find_roles.cache_clear()
    assert find_roles_in_words(text, _plain_words(text)) == _find_roles_token_by_token(text)


def test_find_roles_from_known_words_on_real_postings(shared_data):
    import csv

    from officeclass.lexicon import find_roles_in_words

    with open(shared_data / "train_labels.csv", encoding="utf-8", newline="") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    find_roles.cache_clear()
    assert [find_roles_in_words(t, _plain_words(t)) for t in texts] == [_find_roles_token_by_token(t) for t in texts]
