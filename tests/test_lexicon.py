import re

import pytest

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
