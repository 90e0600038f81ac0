"""JSON shapes of registrations: a partner never sees the other side of a conflict, staff see both."""
from __future__ import annotations

from typing import Any

from opportunities.registrations.api_schemas import HouseAccountOut, RegistrationOut
from opportunities.registrations.models import Conflict, HouseAccount, Registration
from opportunities.registrations.services.attribution import shown_campaign
from opportunities.registrations.services.registrations import links_of
from portal.api.schemas import present


def conflict_for_partner(c: Conflict) -> dict[str, Any]:
    """A conflict as its partner sees it: reasons and score; its own duplicate by id, nothing else."""
    data: dict[str, Any] = {"reasons": list(c.reasons), "score": c.score}
    if c.own:
        data["own_opportunity_id"] = c.other_id
    return data


def conflicts_for_staff(reg: Registration) -> list[dict[str, Any]]:
    """Every conflict of a registration (both directions), with the other side's ids."""
    out = []
    for link in links_of(reg):
        data: dict[str, Any] = {"reasons": list(link.conflict.reasons), "score": link.conflict.score,
                                "opportunity_id": link.other.id if link.other else None,
                                "partner_id": link.other.partner_id if link.other else None,
                                "house_account_id": link.conflict.house_account_id}
        if link.conflict.own:
            data["own_opportunity_id"] = data["opportunity_id"]
        out.append(data)
    return out


def registration(reg: Registration, *, staff: bool) -> dict[str, Any]:
    """A registration; `staff` decides how much of its conflicts is shown."""
    conflicts = conflicts_for_staff(reg) if staff else [conflict_for_partner(c) for c in reg.conflicts]
    data = {
        "id": reg.id, "status": reg.status, "conflict": bool(conflicts), "conflicts": conflicts,
        "partner_id": reg.partner_id,
        "customer": {"name": reg.customer_name, "domain": reg.customer_domain, "country": reg.customer_country,
                     "city": reg.customer_city, "vat_id": reg.customer_vat},
        "contact": {"name": reg.contact_name, "email": reg.contact_email},
        "families": list(reg.families), "skus": list(reg.skus), "amount": reg.amount.as_str(),
        "currency": reg.currency, "expected_close": reg.expected_close.isoformat() if reg.expected_close else None,
        "notes": reg.notes, "source": reg.source, "lead_id": reg.lead_id, **shown_campaign(reg.campaign),
        "external_ref": reg.external_ref,
        "submitted_at": reg.submitted_at, "decided_at": reg.decided_at,
        "protected_until": reg.protected_until.isoformat() if reg.protected_until else None,
        "protection_days": reg.protection_days,
        "discount_percent": str(reg.discount_percent) if reg.discount_percent is not None else None,
        "rejection_reason": reg.rejection_reason, "extended": reg.extended_at is not None,
        "won_order_id": reg.won_order_id, "lost_reason": reg.lost_reason,
    }
    result = present(RegistrationOut, data)
    keep = ("opportunity_id", "partner_id", "house_account_id") if staff else ()
    for item in result["conflicts"]:
        for key in ("own_opportunity_id", "opportunity_id", "partner_id", "house_account_id"):
            if key not in keep and item.get(key) is None:
                item.pop(key)
    return result


def house_account(account: HouseAccount) -> dict[str, Any]:
    return present(HouseAccountOut, {"id": account.id, "name": account.name, "domain": account.domain,
                                     "country": account.country, "city": account.city, "vat_id": account.vat_id,
                                     "notes": account.notes, "active": account.active})
