"""Converting an owned lead into a deal registration: prefilled from the lead, registered through
the registration service (the same conflict check), with the lead recorded as its source."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from opportunities.leads.models import Lead
from opportunities.leads.queries import owns_lead
from opportunities.leads.services import LeadConflict, LeadNotFound
from opportunities.leads.services.common import (
    compare_and_set, end_ownership, now_or, record_event,
)
from opportunities.registrations.services import CustomerInput, RegistrationInput, register_opportunity
from portal.extensions import db
from portal.models import Partner
from portal.services import audit

DEFAULT_CLOSE_DAYS = 90  # the prefilled expected close date


def prefill(lead: Lead, partner: Partner, today: date | None = None) -> dict[str, Any]:
    """Registration form values taken from the lead."""
    return {"customer_name": lead.company_name, "customer_domain": lead.company_domain or "",
            "customer_country": lead.company_country, "customer_city": lead.company_city,
            "families": list(lead.families or []), "currency": partner.currency,
            "expected_close": (today or date.today()) + timedelta(days=DEFAULT_CLOSE_DAYS),
            "contact_name": lead.contact_name, "contact_email": lead.contact_email,
            "notes": lead.notes}


def draft_from_lead(lead: Lead, partner: Partner, values: Mapping[str, Any]) -> RegistrationInput:
    """A registration input: the lead's customer, contact and families unless `values` say otherwise."""
    def pick(key: str, default: Any) -> Any:
        value = values.get(key)
        return default if value in (None, "", []) else value

    customer = CustomerInput(name=lead.company_name, country=lead.company_country,
                             domain=lead.company_domain, city=lead.company_city or None,
                             vat_id=values.get("vat_id") or None)
    return RegistrationInput(
        customer=customer, families=list(pick("families", lead.families or [])),
        amount=values.get("amount"), currency=pick("currency", partner.currency),
        expected_close=values.get("expected_close"), contact_name=lead.contact_name or None,
        contact_email=lead.contact_email or None, notes=pick("notes", lead.notes or ""))


def convert_lead(partner: Partner, actor: Any, lead: Lead, draft: RegistrationInput, *,
                 now: datetime | None = None) -> Any:
    """Register the owned lead as a deal registration (source "lead", its id recorded).

    Converting twice: 409. Not the owner (any more): 404. A bad registration value: 422 and the
    lead stays as it was (the whole request rolls back)."""
    now = now_or(now)
    if not owns_lead(actor, partner, lead):
        if lead.status == "converted" and lead.owner_partner_id == partner.id:
            raise LeadConflict(f"This lead is already converted (deal registration #{lead.opportunity_id}).",
                               code="already_converted")
        raise LeadNotFound()
    # Take the lead first: a second, simultaneous conversion waits here and then finds it converted.
    if not compare_and_set(lead, {"status": "claimed", "owner_partner_id": partner.id},
                           {"status": "converted", "converted_at": now, "due_at": None, "warned_at": None},
                           now=now):
        if lead.status == "converted":
            raise LeadConflict("This lead is already converted.", code="already_converted")
        raise LeadNotFound()
    # The lead's campaign attribution carries over as it is (it was checked when it was set).
    registration = register_opportunity(partner, actor, replace(draft, source="lead", lead_id=lead.id),
                                        campaign=lead.campaign)
    lead.opportunity_id = registration.id
    end_ownership(lead, "converted", now)
    record_event(lead, "converted", actor=actor, to_partner_id=partner.id, now=now,
                 reason=f"Converted into deal registration #{registration.id} ({registration.status})")
    audit.record(actor, "lead.convert", lead, partner_id=partner.id, after={"registration_id": registration.id},
                 summary=f"Lead {lead.company_name} converted by {partner.name} into deal registration "
                 f"#{registration.id}")
    db.session.flush()
    return registration
