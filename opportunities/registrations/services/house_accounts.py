"""House accounts: the vendor's named direct customers, which partners' registrations conflict with."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opportunities.registrations.models import HouseAccount
from opportunities.registrations.services.inputs import CustomerInput, RegistrationError, clean_customer
from opportunities.registry.index import index_house_account, registry_lock, unindex
from portal.extensions import db
from portal.services import audit

AUDITED = ("name", "domain", "country", "city", "vat_id", "active")


def check_house_account(data: Mapping[str, Any]) -> dict[str, str]:
    """The field problems of a house account's data (empty when it is valid), without writing anything."""
    try:
        _clean(data)
    except RegistrationError as exc:
        return dict(exc.fields)
    return {}


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    customer = clean_customer(CustomerInput(
        name=data.get("name") or "", country=data.get("country") or "", domain=data.get("domain"),
        city=data.get("city"), vat_id=data.get("vat_id")), errors, prefix="")
    notes = str(data.get("notes") or "").strip()
    if len(notes) > 2000:
        errors["notes"] = "At most 2000 characters."
    elif "\x00" in notes:
        errors["notes"] = "Contains a NUL character."
    if errors:
        raise RegistrationError("Some fields are invalid: see fields.", fields=errors)
    return {"name": customer.name, "country": customer.country, "domain": customer.domain, "city": customer.city,
            "vat_id": customer.vat_id, "notes": notes}


def create_house_account(actor: Any, data: Mapping[str, Any]) -> HouseAccount:
    """Add a house account (active unless `active` is false); new registrations of that customer go to review."""
    values = _clean(data)
    registry_lock()
    account = HouseAccount(**values, active=bool(data.get("active", True)))
    db.session.add(account)
    db.session.flush()
    if account.active:
        index_house_account(account)
    audit.record(actor, "house_account.create", account, after=audit.snapshot(account, AUDITED),
                 summary=f"Added house account {account.name}")
    return account


def update_house_account(actor: Any, account: HouseAccount, data: Mapping[str, Any]) -> HouseAccount:
    """Change a house account (name, domain, country, city, VAT id, notes, active) and re-index it."""
    values = _clean(data)
    before = audit.snapshot(account, AUDITED)
    registry_lock()
    for key, value in values.items():
        setattr(account, key, value)
    if "active" in data:
        account.active = bool(data["active"])
    db.session.flush()
    unindex(house_account_id=account.id)
    if account.active:
        index_house_account(account)
    audit.record(actor, "house_account.update", account, before=before, after=audit.snapshot(account, AUDITED),
                 summary=f"Changed house account {account.name}")
    return account
