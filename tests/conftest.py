"""Shared fixtures: a tiny model trained inline, and the shared data folder when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("OFFICECLASS_SHARED_DATA", REPO.parent / "shared" / "data"))

TINY_CORPUS = [
    ("Sell our products to new clients, cold calling and closing deals to hit sales targets.", "Sales Executive", "front_office"),
    ("Greet visitors at the front desk, answer customer calls and book client meetings.", "Receptionist", "front_office"),
    ("Manage key client accounts, grow revenue and present proposals to customers.", "Account Manager", "front_office"),
    ("Run the monthly payroll, reconcile the general ledger and prepare financial statements.", "Payroll Accountant", "back_office"),
    ("Maintain servers, databases and internal IT systems; support employees with IT issues.", "IT Support Engineer", "back_office"),
    ("Process invoices and payments, keep records accurate and support the finance team.", "Accounts Clerk", "back_office"),
    ("Serve customers at the counter and process their transactions, cash and account records.", "Bank Teller", "hybrid"),
    ("Answer client calls and also handle billing, invoicing and data entry for the office.", "Office Administrator", "hybrid"),
    ("Configure the software for each client and train their users on site; build integrations.", "Implementation Consultant", "hybrid"),
]


@pytest.fixture(scope="session")
def tiny_model():
    from officeclass.model import Classifier

    texts, titles, labels = zip(*TINY_CORPUS)
    model = Classifier.fit(texts, labels, titles=titles, params={"text_min_df": 1, "C": 10.0})
    model.tau, model.delta = 0.0, 0.0
    return model


@pytest.fixture(scope="session")
def saved_tiny_model(tiny_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "tiny.skops"
    tiny_model.save(path, version_prefix="officeclass-test")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "train_labels.csv").exists():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA
