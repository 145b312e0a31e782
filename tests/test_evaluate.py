import numpy as np
import pytest

from officeclass.evaluate import abstain_curve, choose_abstain, confusion_frame, expected_calibration_error, fit_temperature, scores
from officeclass.model import softmax


def test_scores_per_class_and_macro():
    s = scores(["front_office", "back_office", "hybrid", "hybrid"], ["front_office", "back_office", "hybrid", "back_office"])
    assert s["accuracy"] == 0.75
    assert s["per_class"]["hybrid"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}


def test_confusion_rows_are_true_labels():
    cm = confusion_frame(["hybrid", "hybrid"], ["back_office", "hybrid"])
    assert cm.loc["hybrid", "back_office"] == 1 and cm.loc["hybrid", "hybrid"] == 1


def test_ece_is_zero_for_perfectly_calibrated_bins():
    proba = np.array([[1.0, 0.0, 0.0]] * 4)
    assert expected_calibration_error(["front_office"] * 4, proba) == 0.0


def test_fit_temperature_recovers_overconfidence():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(size=(3000, 3))
    y_idx = np.array([rng.choice(3, p=p) for p in softmax(true_logits)])
    labels = np.array(["front_office", "back_office", "hybrid"])[y_idx]
    t = fit_temperature(true_logits * 3.0, labels)  # a model 3x too confident
    assert t == pytest.approx(3.0, rel=0.15)


def test_choose_abstain_reaches_the_target_with_most_coverage():
    proba = np.array([[0.9, 0.05, 0.05], [0.5, 0.4, 0.1], [0.8, 0.1, 0.1], [0.45, 0.44, 0.11]])
    y = ["front_office", "back_office", "front_office", "back_office"]
    tau, delta = choose_abstain(y, proba, target_accuracy=1.0)
    kept = (proba.max(1) >= tau) & (np.sort(proba, 1)[:, -1] - np.sort(proba, 1)[:, -2] >= delta)
    assert kept.tolist() == [True, False, True, False]
    assert not abstain_curve(y, proba).empty
