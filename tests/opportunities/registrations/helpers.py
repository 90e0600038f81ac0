"""Building registrations for tests through the real services."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from opportunities.registrations.models import Registration
from opportunities.registrations.services import CustomerInput, RegistrationInput, register_opportunity
from portal.extensions import db

CLOSE = (date.today() + timedelta(days=60)).isoformat()


def payload(name: str = "Quavendra Robotics GmbH", country: str = "DE", **overrides: Any) -> dict[str, Any]:
    """An API body for POST /opportunities."""
    body: dict[str, Any] = {"customer": {"name": name, "country": country}, "families": ["hardware"],
                            "amount": "25000.00", "currency": "EUR", "expected_close": CLOSE}
    customer = {k[9:]: overrides.pop(k) for k in list(overrides) if k.startswith("customer_")}
    body["customer"].update(customer)
    body.update(overrides)
    return body


def register(partner: Any, user: Any, name: str = "Quavendra Robotics GmbH", country: str = "DE",
             families: tuple[str, ...] = ("hardware",), domain: str | None = None, vat: str | None = None,
             city: str | None = None, **extra: Any) -> Registration:
    """Register through the service, as the portal does."""
    reg = register_opportunity(partner, user, RegistrationInput(
        customer=CustomerInput(name=name, country=country, domain=domain, city=city, vat_id=vat),
        families=list(families), amount=extra.pop("amount", "1000.00"), currency=extra.pop("currency", "EUR"),
        expected_close=extra.pop("expected_close", CLOSE), **extra))
    db.session.flush()
    return reg
