import pytest
from hypothesis import given
from hypothesis import strategies as st

from officeclass.text import MAX_CHARS, normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>Sales <b>Manager</b></p>", "Sales Manager"),
        ("Salary &pound;30k &amp; bonus", "Salary £30k & bonus"),
        ("&lt;b&gt;bold&lt;/b&gt; text", "bold text"),
        ("ResponsibilitiesDLP solution administration", "Responsibilities DLP solution administration"),
        ("maintains DLP servers.Creating policies", "maintains DLP servers. Creating policies"),
        ("Salary ****K per annum", "Salary K per annum"),
        ("Salary Â£30,000 and donâ€™t", "Salary £30,000 and don’t"),
        ("  many\t\tspaces\r\n\r\nand lines  ", "many spaces and lines"),
        ("bell\x07 and null\x00 chars", "bell and null chars"),
        ("JavaScript and iPhone stay whole", "JavaScript and iPhone stay whole"),
        ("", ""),
        ("   \n\t ", ""),
    ],
)
def test_normalise_cleans_tricky_strings(raw, expected):
    assert normalise(raw) == expected


def test_normalise_cuts_text_at_max_chars():
    assert len(normalise("a" * (MAX_CHARS + 500))) == MAX_CHARS


def test_normalise_rejects_non_str():
    with pytest.raises(TypeError, match="normalise\\(\\) expects a str, got NoneType."):
        normalise(None)


@given(st.text())
def test_normalise_returns_trimmed_single_spaced_text(s):
    out = normalise(s)
    assert out == out.strip()
    assert "  " not in out and "\n" not in out and "\t" not in out


def test_stem_tokens_uses_snowball_without_downloads():
    from officeclass.text import stem_tokens

    assert stem_tokens("Managing ACCOUNTS, sales-person") == ["manag", "account", "sale", "person"]


_glued_alphabet = st.sampled_from(list("abcdeXYZ.:;!?)0 "))


@given(st.text(alphabet=_glued_alphabet, max_size=60))
def test_glued_word_pattern_splits_exactly_where_the_plain_patterns_do(s):
    # the shipped patterns look back from the capital letter for speed; the
    # plain forward patterns below are the specification they must match
    import re

    from officeclass.text import _GLUED

    plain_stop, plain_case = re.compile(r"([a-z0-9\)][.:;!?])([A-Z])"), re.compile(r"([a-z]{4})([A-Z])")
    assert _GLUED.sub(r" \g<0>", s) == plain_case.sub(r"\1 \2", plain_stop.sub(r"\1 \2", s))
