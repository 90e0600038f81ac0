"""Saved ship-to addresses of a partner, and the ship-to snapshot an order keeps."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import update

from orders.models import ShipToAddress
from orders.services import OrderError
from portal import choices
from portal.db import load_owned
from portal.errors import NotFound
from portal.extensions import db
from portal.models import Partner

FIELDS = {"recipient": 200, "street": 300, "postal_code": 20, "city": 100, "country": 2}
REQUIRED = ("recipient", "street", "city", "country")


def saved(partner: Partner) -> list[ShipToAddress]:
    """The partner's saved addresses, the default first."""
    return list(db.session.scalars(ShipToAddress.for_partner(partner).where(
        ShipToAddress.archived.is_(False)).order_by(ShipToAddress.is_default.desc(),
                                                     ShipToAddress.label, ShipToAddress.id)))


def get(partner: Partner, address_id: int) -> ShipToAddress:
    """The partner's saved (not archived) address; NotFound otherwise."""
    return load_owned(ShipToAddress, address_id, partner, message="This address does not exist.",
                      visible=lambda address: not address.archived)


def clean(data: Mapping[str, Any], prefix: str = "ship_to") -> dict[str, str]:
    """Validate inline address fields; errors are named `<prefix>.<field>`."""
    values = {name: str(data.get(name) or "").strip() for name in FIELDS}
    values["country"] = values["country"].upper()
    errors = {}
    for name in REQUIRED:
        if not values[name]:
            errors[f"{prefix}.{name}"] = "This field is required."
    for name, size in FIELDS.items():
        if len(values[name]) > size:
            errors[f"{prefix}.{name}"] = f"At most {size} characters."
    if values["country"] and values["country"] not in choices.countries():
        errors[f"{prefix}.country"] = "Use an ISO 3166 alpha-2 code, e.g. DE."
    if errors:
        raise OrderError("The ship-to address is incomplete: see fields.", fields=errors)
    return values


def snapshot(address: ShipToAddress) -> dict[str, str]:
    return {"label": address.label, **{name: getattr(address, name) for name in FIELDS}}


def resolve(partner: Partner, ship_to: Mapping[str, Any] | None) -> tuple[dict[str, str], int | None]:
    """The ship-to snapshot and saved address id for an order: a saved address by id, inline
    fields, or (nothing given) the partner's default address."""
    if ship_to and ship_to.get("address_id") not in (None, ""):
        try:
            address = get(partner, int(ship_to["address_id"]))
        except (NotFound, TypeError, ValueError):
            raise OrderError("Choose one of your saved addresses.",
                             fields={"ship_to.address_id": "Not one of your saved addresses."}) from None
        return snapshot(address), address.id
    if ship_to:
        return clean(ship_to), None
    default = next((a for a in saved(partner) if a.is_default), None)
    if default is None:
        raise OrderError("Give a ship-to address (you have no default address saved).",
                         fields={"ship_to": "Required: a saved address_id or the address fields."})
    return snapshot(default), default.id


def add_address(partner: Partner, data: Mapping[str, Any]) -> ShipToAddress:
    """Save an address; the first one (or one marked default) becomes the default."""
    values = clean(data, prefix="address")
    label = str(data.get("label") or "").strip()[:100] or values["city"]
    make_default = bool(data.get("is_default")) or not saved(partner)
    address = ShipToAddress(partner_id=partner.id, label=label, **values)
    db.session.add(address)
    db.session.flush()
    if make_default:
        set_default(partner, address.id)
    return address


def set_default(partner: Partner, address_id: int) -> ShipToAddress:
    address = get(partner, address_id)
    db.session.execute(update(ShipToAddress).where(ShipToAddress.partner_id == partner.id)
                       .values(is_default=False))
    address.is_default = True
    db.session.flush()
    return address


def archive(partner: Partner, address_id: int) -> ShipToAddress:
    """Remove an address from the list (orders keep their own copy of it)."""
    address = get(partner, address_id)
    address.archived = True
    address.is_default = False
    db.session.flush()
    return address

