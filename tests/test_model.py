import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio

from officeclass.errors import ModelIntegrityError, ModelLoadError, ModelVersionWarning
from officeclass.labels import LABELS
from officeclass.model import Classifier, TRUSTED_TYPES


def test_fit_requires_all_three_labels():
    with pytest.raises(ValueError, match="Training labels must include all of front_office, back_office, hybrid; missing hybrid."):
        Classifier.fit(["sell", "payroll"], ["front_office", "back_office"])


def test_fit_rejects_unknown_labels():
    with pytest.raises(ValueError, match=r"Unknown labels \['sales'\]; expected only front_office, back_office, hybrid."):
        Classifier.fit(["sell"], ["sales"])


def test_probabilities_follow_label_order_and_sum_to_one(tiny_model):
    proba = tiny_model.predict_proba(["close sales deals with clients", "run the monthly payroll and reconcile the general ledger"])
    assert proba.shape == (2, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert LABELS[proba[0].argmax()] == "front_office"
    assert LABELS[proba[1].argmax()] == "back_office"


def test_temperature_scales_decision(tiny_model):
    X = tiny_model.features(["close sales deals"])
    d = tiny_model.decision(X)
    sharp = Classifier(tiny_model.pipeline, temperature=0.5, tagger=tiny_model.tagger).proba_from_decision(d)
    soft = Classifier(tiny_model.pipeline, temperature=2.0, tagger=tiny_model.tagger).proba_from_decision(d)
    assert sharp.max() > soft.max()


def test_abstain_rule_uses_tau_and_delta(tiny_model):
    m = Classifier(tiny_model.pipeline, tau=0.5, delta=0.2, tagger=tiny_model.tagger)
    proba = np.array([[0.45, 0.35, 0.20], [0.55, 0.40, 0.05], [0.80, 0.10, 0.10]])
    assert m.abstains(proba).tolist() == [True, True, False]


def test_save_load_round_trip_gives_identical_probabilities(tiny_model, saved_tiny_model):
    loaded = Classifier.load(saved_tiny_model)
    texts = ["sell to clients", "maintain databases", "teller serving customers"]
    np.testing.assert_array_equal(loaded.predict_proba(texts), tiny_model.predict_proba(texts))
    assert loaded.version.startswith("officeclass-test-")


def test_metadata_records_versions_and_hash(saved_tiny_model):
    meta = json.loads(saved_tiny_model.with_suffix(".json").read_text())
    assert set(meta["versions"]) >= {"scikit-learn", "numpy", "skops", "officeclass", "python"}
    assert len(meta["sha256"]) == 64
    assert meta["labels"] == list(LABELS)


def test_saved_file_holds_only_trusted_types(saved_tiny_model):
    assert set(sio.get_untrusted_types(file=saved_tiny_model)) <= TRUSTED_TYPES


def _copy(src, dst_dir):
    dst = dst_dir / "copy.skops"
    for suffix in (".skops", ".npz", ".json"):
        dst.with_suffix(suffix).write_bytes(src.with_suffix(suffix).read_bytes())
    return dst


@pytest.mark.parametrize("suffix", [".skops", ".npz"])
def test_tampered_model_file_is_refused(saved_tiny_model, tmp_path, suffix):
    path = _copy(saved_tiny_model, tmp_path)
    target = path.with_suffix(suffix)
    data = bytearray(target.read_bytes())
    data[-10] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match=f"Model file {re.escape(str(target))} has SHA-256 .*the file was changed or truncated"):
        Classifier.load(path)


def test_missing_scoring_file_is_named(saved_tiny_model, tmp_path):
    path = _copy(saved_tiny_model, tmp_path)
    path.with_suffix(".npz").unlink()
    with pytest.raises(ModelLoadError, match=f"No scoring file at {re.escape(str(path.with_suffix('.npz')))}: keep the .npz saved beside copy.skops."):
        Classifier.load(path)


def test_model_saved_without_scoring_arrays_loads_through_its_pipeline(tmp_path):
    """Models saved before scoring arrays existed (and before line features) still load."""
    from conftest import TINY_CORPUS

    texts, titles, labels = zip(*TINY_CORPUS)
    tiny_model = Classifier.fit(texts, labels, titles=titles, params={"text_min_df": 1, "line_features": False})
    path = tiny_model.save(tmp_path / "old.skops")
    path.with_suffix(".npz").unlink()
    meta = json.loads(path.with_suffix(".json").read_text())
    del meta["scoring_sha256"]
    path.with_suffix(".json").write_text(json.dumps(meta))
    texts = ["sell to clients", "maintain databases", "teller serving customers"]
    np.testing.assert_array_equal(Classifier.load(path).predict_proba(texts), tiny_model.predict_proba(texts))


def test_model_without_metadata_is_refused(saved_tiny_model, tmp_path):
    path = _copy(saved_tiny_model, tmp_path)
    path.with_suffix(".json").unlink()
    with pytest.raises(ModelLoadError, match="a model is loaded only with the .json saved beside it"):
        Classifier.load(path)


def test_missing_model_file_names_the_path(tmp_path):
    with pytest.raises(ModelLoadError, match="No model file at"):
        Classifier.load(tmp_path / "nothing.skops")


def test_untrusted_type_in_file_is_refused(saved_tiny_model, tmp_path):
    import fractions
    import hashlib

    path = _copy(saved_tiny_model, tmp_path)
    sio.dump({"format": "officeclass-model/1", "payload": fractions.Fraction(1, 3)}, path)
    meta = json.loads(path.with_suffix(".json").read_text())
    meta["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_suffix(".json").write_text(json.dumps(meta))
    model = Classifier.load(path)  # scoring reads the .npz only; the pipeline is read when asked for
    with pytest.raises(ModelLoadError, match=r"contains types officeclass does not trust: \['fractions.Fraction'\]"):
        model.pipeline


def test_other_sklearn_minor_version_warns(saved_tiny_model, tmp_path):
    path = _copy(saved_tiny_model, tmp_path)
    meta = json.loads(path.with_suffix(".json").read_text())
    meta["versions"]["scikit-learn"] = "0.1.0"
    path.with_suffix(".json").write_text(json.dumps(meta))
    model = Classifier.load(path)  # scoring does not use scikit-learn: no warning yet
    with pytest.warns(ModelVersionWarning, match="was saved with scikit-learn 0.1.0"):
        model.pipeline


def test_same_version_loads_without_warning(saved_tiny_model):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Classifier.load(saved_tiny_model).pipeline


def test_direct_features_equal_the_pipeline_step(tiny_model):
    from officeclass.model import as_array

    texts, titles = ["close sales deals and run payroll", "", "teller"], ["Sales", "Clerk", ""]
    X = as_array(texts, titles, tiny_model.line_inputs(texts, titles))
    direct = tiny_model.features(texts, titles)
    via_pipeline = tiny_model.pipeline.named_steps["features"].transform(X)
    assert abs(direct - via_pipeline).max() <= 1e-12
    assert tiny_model.temperature == 1.0  # so the probabilities must equal the pipeline's own
    order = [list(tiny_model.pipeline.classes_).index(label) for label in LABELS]
    np.testing.assert_allclose(tiny_model.predict_proba(texts, titles), tiny_model.pipeline.predict_proba(X)[:, order])


def test_feature_names_match_the_pipeline(tiny_model):
    expected = [n.replace("__", ":", 1) for n in tiny_model.pipeline.named_steps["features"].get_feature_names_out()]
    assert tiny_model.feature_names.tolist() == expected


def test_saving_the_same_model_twice_gives_identical_bytes(tiny_model, tmp_path):
    a = tiny_model.save(tmp_path / "a.skops")
    b = tiny_model.save(tmp_path / "b.skops")
    assert a.read_bytes() == b.read_bytes()


def test_fitting_and_saving_in_two_processes_gives_identical_bytes(tmp_path):
    """Object ids differ between processes; the saved file must not depend on them."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.path.insert(0, sys.argv[2])\n"
        "from conftest import TINY_CORPUS\n"
        "from officeclass.model import Classifier\n"
        "t, ti, l = zip(*TINY_CORPUS)\n"
        "Classifier.fit(t, l, titles=ti, params={'text_min_df': 1}).save(sys.argv[1])\n"
    )
    tests_dir = str(Path(__file__).parent)
    for name in ("one", "two"):
        subprocess.run([sys.executable, "-c", code, str(tmp_path / f"{name}.skops"), tests_dir], check=True)
    for suffix in (".skops", ".npz"):
        assert (tmp_path / f"one{suffix}").read_bytes() == (tmp_path / f"two{suffix}").read_bytes()


def test_shipped_model_scores_real_postings_exactly_as_its_pipeline(shared_data):
    """The scikit-learn-free blocks must give the pipeline's own features and probabilities."""
    import csv

    from officeclass.model import as_array
    from officeclass.predict import default_model
    from officeclass.text import normalise, normalise_lines

    with open(shared_data / "train_labels.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    texts, titles = [normalise_lines(r["text"]) for r in rows], [normalise(r["title"]) for r in rows]
    model = default_model()
    X = as_array(texts, titles, model.line_inputs(texts, titles))
    via_pipeline = model.pipeline.named_steps["features"].transform(X)
    direct = model.features(texts, titles)
    assert direct.shape == via_pipeline.shape
    assert abs(direct - via_pipeline).max() <= 1e-12
    order = [list(model.pipeline.classes_).index(label) for label in LABELS]
    np.testing.assert_allclose(model.decision(direct), model.pipeline.decision_function(X)[:, order], atol=1e-10)


def test_classify_does_not_import_scikit_learn():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from officeclass import classify, classify_many\n"
        "p = classify('Run the payroll and reconcile the ledger.', title='Payroll Clerk')\n"
        "classify_many(['Sell to new clients.'], explain=True)[0].explanation.to_text()\n"
        "heavy = sorted(m for m in ('sklearn', 'pandas', 'skops') if m in sys.modules)\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_stemming_option_fits_and_predicts():
    from conftest import TINY_CORPUS

    texts, titles, labels = zip(*TINY_CORPUS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # scikit-learn's stop-word consistency note
        model = Classifier.fit(texts, labels, titles=titles, params={"text_min_df": 1, "stem": True})
    assert model.predict(["managing sales to clients"]) == ["front_office"]
    assert "text:manag" in set(model.feature_names) or any(n.startswith("text:manag") for n in model.feature_names)


def test_fit_without_titles_builds_no_title_block_and_predicts():
    from conftest import TINY_CORPUS

    texts, _, labels = zip(*TINY_CORPUS)
    model = Classifier.fit(texts, labels, params={"text_min_df": 1})
    assert [name for name, _, _ in model._blocks] == ["text", "roles", "lines", "client_lines", "internal_lines"]
    assert model.predict(["close sales deals with clients"], ["Sales Executive"]) == ["front_office"]


def test_fit_with_no_usable_word_explains_min_df():
    texts = ["alpha", "beta", "gamma"]
    with pytest.raises(ValueError, match=r"No word of the 3 training texts is left to learn from: words must occur in at least text_min_df=10 texts"):
        Classifier.fit(texts, ["front_office", "back_office", "hybrid"])


def test_fit_rejects_titles_of_another_length():
    with pytest.raises(ValueError, match=r"titles has 1 items but texts has 3; pass one title per text"):
        Classifier.fit(["a b", "c d", "e f"], ["front_office", "back_office", "hybrid"], titles=["x"])


def test_saved_model_keeps_its_line_tagger(tiny_model, saved_tiny_model):
    loaded = Classifier.load(saved_tiny_model)
    lines = ["Duties: greet customers at the desk", "Run the payroll", "Requirements: a degree"]
    np.testing.assert_array_equal(loaded.tagger.predict_proba(lines, "Clerk"), tiny_model.tagger.predict_proba(lines, "Clerk"))


def test_a_model_reading_lines_needs_a_tagger(tiny_model):
    with pytest.raises(ModelLoadError, match="This model reads line features but has no line tagger; pass tagger=."):
        Classifier(tiny_model.pipeline)


def test_text_without_known_words_has_only_line_features(tiny_model):
    X = tiny_model.features(["zxqv wvvt", "close sales deals"])
    assert tiny_model.known_terms(X)[0] == 0 and tiny_model.known_terms(X)[1] > 0
