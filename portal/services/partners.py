"""Partner companies: create, update, suspend; every change is audited."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from portal.errors import ValidationFailed
from portal.extension_points import registry
from portal.extensions import db
from portal.models import PARTNER_KINDS, PARTNER_STATUSES, PARTNER_TIERS, Partner, User
from portal.money import Money
from portal.services import audit
from portal.choices import check_country, check_currency, check_region
from portal.validation import parse_amount, parse_decimal

AUDITED = ("name", "kind", "tier", "country", "region", "currency", "credit_limit_minor",
           "payment_terms_days", "status", "manager_id", "price_book_id")
REQUIRED = ("name", "kind", "tier", "country", "region", "currency", "credit_limit",
            "payment_terms_days")


class PartnerError(ValidationFailed):
    pass


def _choice(value: Any, choices: tuple[str, ...], what: str) -> str:
    text = str(value or "").strip().lower()
    if text not in choices:
        raise ValueError(f"{what} must be one of: {', '.join(choices)}")
    return text


def _clean(data: Mapping[str, Any], partner: Partner | None) -> dict[str, Any]:
    """Validate raw input; every problem is reported against its field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    if partner is None:
        for key in REQUIRED:
            if data.get(key) in (None, ""):
                errors[key] = "This field is required."

    def take(key: str, fn: Any) -> None:
        if key in data and key not in errors:
            try:
                out[key] = fn(data[key])
            except ValueError as exc:
                errors[key] = str(exc)

    take("name", lambda v: _text(v, 200, "name"))
    take("kind", lambda v: _choice(v, PARTNER_KINDS, "kind"))
    take("tier", lambda v: _choice(v, PARTNER_TIERS, "tier"))
    take("status", lambda v: _choice(v, PARTNER_STATUSES, "status"))
    take("country", check_country)
    take("region", check_region)
    take("currency", check_currency)
    take("payment_terms_days", _days)
    take("manager_id", _manager_id)
    currency = out.get("currency") or (partner.currency if partner else None)
    if "credit_limit" in data and "credit_limit" not in errors and currency:
        try:
            out["credit_limit_minor"] = parse_amount(data["credit_limit"], currency).amount_minor
        except ValueError as exc:
            errors["credit_limit"] = str(exc)
    elif partner is not None and "currency" in out and out["currency"] != partner.currency:
        amount = partner.credit_limit.amount
        out["credit_limit_minor"] = Money.from_decimal(amount, out["currency"]).amount_minor
    for key, cleaner in registry().partner_fields.items():  # the catalog checks `price_book_id`
        take(key, cleaner)
    if "name" in out and "name" not in errors:
        clash = select(Partner.id).where(func.lower(Partner.name) == out["name"].lower())
        if partner is not None:
            clash = clash.where(Partner.id != partner.id)
        if db.session.scalar(clash) is not None:
            errors["name"] = "A partner with this name already exists."
    if errors:
        raise PartnerError("The partner could not be saved: check the highlighted fields.",
                           fields=errors)
    return out


def _text(value: Any, max_len: int, what: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValueError(f"{what} must not be empty")
    if len(text) > max_len:
        raise ValueError(f"{what} must be at most {max_len} characters")
    return text


def _days(value: Any) -> int:
    number = parse_decimal(value)
    if number != number.to_integral_value() or not 0 <= number <= 365:
        raise ValueError("must be a whole number of days between 0 and 365")
    return int(number)


def _manager_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        manager_id = int(value)
    except (TypeError, ValueError) as exc:
        raise ValueError("must be a user id") from exc
    user = db.session.get(User, manager_id)
    if user is None or user.role not in ("partner_manager", "admin") or not user.active:
        raise ValueError("must be an active partner manager")
    return manager_id


def create_partner(actor: User, data: Mapping[str, Any]) -> Partner:
    values = _clean(data, None)
    partner = Partner(**values)
    db.session.add(partner)
    db.session.flush()
    audit.record(actor, "partner.create", partner, after=audit.snapshot(partner, AUDITED),
                 summary=f"Created partner {partner.name}")
    return partner


def update_partner(actor: User, partner: Partner, data: Mapping[str, Any]) -> Partner:
    before = audit.snapshot(partner, AUDITED)
    values = _clean(data, partner)
    for key, value in values.items():
        setattr(partner, key, value)
    db.session.flush()
    after = audit.snapshot(partner, AUDITED)
    if after != before:
        action = "partner.update"
        if before["status"] != after["status"]:
            action = "partner.suspend" if after["status"] == "suspended" else "partner.reactivate"
        audit.record(actor, action, partner, before=before, after=after,
                     summary=f"Updated partner {partner.name}")
    return partner


def managers() -> list[User]:
    """Staff who can manage partners (for pick lists)."""
    return list(db.session.scalars(
        select(User).where(User.role.in_(("partner_manager", "admin")), User.active.is_(True))
        .order_by(User.name)
    ))
