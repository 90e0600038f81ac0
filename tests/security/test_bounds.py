"""Hostile input bounded at the edge (docs/security.md "bounds"): huge names never reach the matcher,
bodies over the size limit are a 413, deep JSON and NUL paths are a 400, form fields have a maximum."""
from __future__ import annotations

import importlib
import inspect
import io

import pytest
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.fields import HiddenField, PasswordField
from wtforms.validators import Length

from opportunities.matching import CompanyIndex, normalise_name
from portal.extension_points import registry
from opportunities.matching.normalise import MAX_WORD_LEN, MAX_WORDS
from opportunities.registrations.models import Registration
from portal.extensions import db
from tests.opportunities.registrations.helpers import CLOSE, payload

HUGE = "a" * 100_000


@pytest.fixture
def no_matching(monkeypatch):
    """Fail the test if the name matching or the conflict search runs."""
    def refuse(*args, **kwargs):
        raise AssertionError("matching ran on invalid input")

    monkeypatch.setattr("opportunities.registrations.services.inputs.normalise_name", refuse)
    monkeypatch.setattr("opportunities.registrations.services.registrations.find_conflicts", refuse)


# --- 1. a huge customer name never reaches the matcher ------------------------------------------------

def test_a_huge_name_in_the_api_is_a_422_without_matching(two_partners, api, no_matching):
    client = api(two_partners.a_user)
    r = client.post("/opportunities", payload(name=HUGE))
    assert r.status_code == 422 and "customer.name" in r.json["error"]["fields"]
    r = client.post("/opportunities/check", {"customer": {"name": HUGE, "country": "DE"}, "families": []})
    assert r.status_code == 422 and "customer.name" in r.json["error"]["fields"]
    assert db.session.query(Registration).count() == 0


def test_a_huge_name_on_the_forms_is_refused_next_to_the_field(client, login, two_partners, no_matching):
    login(two_partners.a_user)
    r = client.post("/opportunities/new", data={"customer_name": HUGE, "customer_country": "DE",
                                                "families": ["hardware"], "amount": "5", "currency": "EUR",
                                                "expected_close": CLOSE})
    assert r.status_code == 400 and b"longer than 400 characters" in r.data
    r = client.post("/opportunities/check", data={"customer_name": HUGE, "customer_country": "DE"})
    assert r.status_code == 400 and b"longer than 400 characters" in r.data
    assert db.session.query(Registration).count() == 0


def test_too_many_families_or_skus_are_refused(two_partners, api):
    client = api(two_partners.a_user)
    r = client.post("/opportunities", payload(families=[f"f{i}" for i in range(51)]))
    assert r.status_code == 422 and "families" in r.json["error"]["fields"]
    r = client.post("/opportunities", payload(families=None, skus=[f"S{i}" for i in range(101)]))
    assert r.status_code == 422 and "skus" in r.json["error"]["fields"]


def test_the_matcher_bounds_words_itself():
    """Defence in depth for the registry import and the `registrations match` CLI."""
    key = normalise_name("Acme" + "x" * 1_000_000 + " " + "word " * 10_000)
    assert len(key.tokens) <= MAX_WORDS and all(len(t) <= MAX_WORD_LEN for t in key.tokens)
    index = CompanyIndex()
    index.add(1, "Acme Corporation", country="DE")
    assert index.match("Acme Corporation", country="DE")[0].record_id == 1
    assert index.match(HUGE * 10, HUGE, "DE", HUGE, HUGE) == []


# --- 2. request size --------------------------------------------------------------------------------

def test_a_body_over_the_default_limit_is_a_413(client, two_partners, api, login):
    r = api(two_partners.a_user).post("/opportunities/check", {"customer": {"name": "x" * 1_100_000}})
    assert r.status_code == 413 and r.json["error"]["code"] == "payload_too_large"
    assert "1 MB" in r.json["error"]["message"]
    login(two_partners.a_user)
    r = client.post("/opportunities/check", data={"customer_name": "x" * 600_000, "customer_country": "DE"})
    assert r.status_code == 413 and b"512 KB" in r.data and b"<html" in r.data


def test_upload_endpoints_accept_more_than_the_default(client, login, two_partners):
    login(two_partners.a_user)
    big = b"SKU,Quantity\n" + b"NOPE,1\n" * 200_000  # 1.4 MB: over 1 MB, under the quick order's 2 MB
    r = client.post("/orders/quick", data={"file": (io.BytesIO(big), "lines.csv")},
                    content_type="multipart/form-data")
    assert r.status_code != 413


def test_every_upload_endpoint_exists(app):
    uploads = registry(app).upload_endpoints
    assert uploads <= set(app.view_functions) and len(uploads) == 7


# --- 3. deeply nested or broken JSON ------------------------------------------------------------------

@pytest.mark.parametrize("depth", [33, 100_000])
def test_deep_json_is_a_400_even_without_a_token(client, depth):
    body = "[" * depth + "]" * depth
    r = client.post("/api/v1/opportunities/check", data=body, content_type="application/json")
    assert r.status_code == 400 and r.json["error"]["code"] == "json_too_deep"


def test_json_at_the_limit_or_with_brackets_in_strings_passes_the_guard(client):
    body = "[" * 32 + "]" * 32
    r = client.post("/api/v1/opportunities/check", data=body, content_type="application/json")
    assert r.status_code == 401  # past the guard: the token is missing
    r = client.post("/api/v1/opportunities/check", data='{"a": "' + "[" * 1000 + '"}',
                    content_type="application/json")
    assert r.status_code == 401


def test_broken_json_is_a_400(client, two_partners, api):
    r = client.post("/api/v1/opportunities/check", data='{"customer": ', content_type="application/json")
    assert r.status_code == 400 and r.json["error"]["code"] == "malformed_json"
    r = api(two_partners.a_user).post("/opportunities", payload(name="Acme \ud800 GmbH"))
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_text"
    assert db.session.query(Registration).count() == 0


def test_nested_nul_is_found_without_recursion(client):
    body = "[" * 30 + '"\\u0000"' + "]" * 30
    r = client.post("/api/v1/opportunities/check", data=body, content_type="application/json")
    assert r.status_code == 400 and r.json["error"]["code"] == "nul_character"


# --- 4. NUL in the path --------------------------------------------------------------------------------

def test_a_nul_in_the_path_is_a_400(client, login, two_partners, api):
    r = api(two_partners.a_user).get("/products/A%00B")
    assert r.status_code == 400 and r.json["error"]["code"] == "nul_character"
    login(two_partners.a_user)
    r = client.get("/catalog/A%00B")
    assert r.status_code == 400 and b"NUL" in r.data


# --- 5. every form string field has a maximum length -----------------------------------------------

FORM_MODULES = ("portal.forms", "catalog.forms", "catalog.cart_forms", "opportunities.registrations.forms",
                "opportunities.campaigns.forms", "opportunities.leads.forms", "orders.forms", "orders.quotes.forms")


def _unbounded(cls: type) -> list[str]:
    out = []
    for name in dir(cls):
        unbound = getattr(cls, name)
        field_class = getattr(unbound, "field_class", None)
        if field_class is None or not issubclass(field_class, StringField) or issubclass(field_class, HiddenField):
            continue
        validators = unbound.kwargs.get("validators") or []
        by_attribute = "maxlength" in (unbound.kwargs.get("render_kw") or {})  # the service gives the message
        if not by_attribute and not any(isinstance(v, Length) and v.max not in (None, -1) for v in validators):
            out.append(f"{cls.__name__}.{name}")
    return out


def test_every_form_string_field_has_a_maximum_length():
    missing = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, FlaskForm) and cls.__module__ == module_name:
                missing += _unbounded(cls)
    assert missing == []


def test_password_fields_are_bounded_too():
    from portal.forms import ChangePasswordForm, LoginForm

    for cls in (LoginForm, ChangePasswordForm):
        for name in dir(cls):
            unbound = getattr(cls, name)
            if getattr(unbound, "field_class", None) is PasswordField:
                assert any(isinstance(v, Length) and v.max > 0 for v in unbound.kwargs["validators"])


def test_an_over_long_field_keeps_the_input_and_shows_the_error(client, login, two_partners):
    login(two_partners.a_user)
    r = client.post("/opportunities/new", data={"customer_name": "Acme GmbH", "customer_country": "DE",
                                                "families": ["hardware"], "amount": "5", "currency": "EUR",
                                                "expected_close": CLOSE, "notes": "n" * 5001})
    html = r.data.decode()
    assert r.status_code == 400 and "longer than 5000 characters" in html
    assert 'maxlength="5000"' in html and 'value="Acme GmbH"' in html
    assert db.session.query(Registration).count() == 0
