"""The committed model card is the one its generator writes from the shipped model and metrics."""

import json

from conftest import REPO

from officeclass.model import Classifier
from officeclass.model_card import render


def test_committed_model_card_matches_the_shipped_model_and_its_metrics():
    model = Classifier.load(REPO / "models" / "officeclass-default.skops")
    metrics = json.loads((REPO / "models" / "metrics.json").read_text(encoding="utf-8"))
    assert (REPO / "models" / "MODEL_CARD.md").read_text(encoding="utf-8") == render(model, metrics)


def test_model_card_states_the_share_of_false_hybrids_flagged_for_review():
    model = Classifier.load(REPO / "models" / "officeclass-default.skops")
    metrics = json.loads((REPO / "models" / "metrics.json").read_text(encoding="utf-8"))
    share = metrics["abstain"]["oof_false_hybrids_abstained"]
    assert f"{share:.0%} of the out-of-fold false hybrids are flagged `abstained`" in render(model, metrics)


def test_model_card_of_a_model_trained_with_your_postings_names_them():
    model = Classifier.load(REPO / "models" / "officeclass-default.skops")
    model.metadata["training_data"] = {**model.metadata["training_data"], "extra_file": "mine.csv", "extra_sha256": "ab" * 32}
    metrics = json.loads((REPO / "models" / "metrics.json").read_text(encoding="utf-8"))
    card = render(model, metrics)
    assert "; with your postings from `mine.csv` (SHA-256 `abababababababab…`) as board `extra:mine`" in card
    assert "NHS Jobs UK), your postings from `mine.csv` and O*NET;" in card
