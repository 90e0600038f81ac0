"""Registering an opportunity (with its conflict check), the availability check, and reading registrations."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, or_, select

from catalog.services.lookup import products_by_sku
from opportunities.campaigns.models import Campaign
from opportunities.registrations.models import PENDING_STATUSES, Conflict, Registration
from opportunities.registrations.services import attribution, clock, notices
from opportunities.registrations.services.events import append_event
from opportunities.registrations.services.inputs import (
    CleanRegistration, CustomerInput, RegistrationError, RegistrationInput, clean_customer, clean_families,
    clean_registration,
)
from opportunities.registry.index import Company, Found, find_conflicts, index_registration, registry_lock
from portal.db import load_owned, utcnow
from portal.errors import NotFound
from portal.extensions import db
from portal.models import Partner, User
from portal.tenancy import unscoped


def setting(name: str) -> int:
    """An integer registration setting (REGISTRATION_*)."""
    return int(current_app.config[f"REGISTRATION_{name}"])


def _resolve_skus(clean: CleanRegistration) -> None:
    """Add the families of the given SKUs; unknown or retired SKUs are refused."""
    if not clean.skus:
        return
    products = products_by_sku(clean.skus)
    bad = [sku for sku in clean.skus if sku not in products or not products[sku].active]
    if bad:
        raise RegistrationError("Some fields are invalid: see fields.",
                                fields={"skus": f"Unknown or retired SKU: {', '.join(bad)}."})
    for sku in clean.skus:
        family = products[sku].family.lower()
        if family not in clean.families:
            clean.families.append(family)


def _clean_with_campaign(partner: Partner, data: RegistrationInput, campaign_id: Any) -> tuple[
        CleanRegistration, Campaign | None]:
    """Validate the input and the campaign the partner names: every problem in one error."""
    errors: dict[str, str] = {}
    clean = campaign = None
    try:
        clean = clean_registration(data, clock.today())
    except RegistrationError as exc:
        errors.update(exc.fields)
    if attribution.id_value(campaign_id) is not None:
        try:
            campaign = attribution.campaign_for_partner(partner, campaign_id)
        except attribution.AttributionError as exc:
            errors.update(exc.fields)
    if errors or clean is None:
        raise RegistrationError("Some fields are invalid: see fields.", fields=errors)
    return clean, campaign


def register_opportunity(partner: Partner, actor: User | None, data: RegistrationInput, *,
                         campaign_id: Any = None, campaign: Campaign | None = None) -> Registration:
    """Register a partner's opportunity and check it against the registry, under the registry lock.

    Without a conflict it waits for approval (`submitted`); a conflict with another partner's
    active registration or a house account puts it `in_review`. The partner's own active duplicates
    are recorded too (as `own`) but do not send it to review.

    `campaign_id` is the campaign the partner attributes it to (checked by the attribution rules,
    which may enrol the partner); `campaign` is one carried over as it is (a converted lead's).
    """
    clean, chosen = _clean_with_campaign(partner, data, campaign_id)
    campaign = chosen or campaign
    on = clock.today()
    _resolve_skus(clean)
    registry_lock()  # from here to commit, registrations are checked one at a time
    customer = clean.customer
    reg = Registration(
        partner_id=partner.id, created_by_id=getattr(actor, "id", None), source=clean.source,
        lead_id=clean.lead_id, customer_name=customer.name, customer_domain=customer.domain,
        customer_country=customer.country, customer_city=customer.city, customer_vat=customer.vat_id,
        contact_name=clean.contact_name, contact_email=clean.contact_email, families=clean.families,
        skus=clean.skus, amount_minor=clean.amount.amount_minor, currency=clean.amount.currency,
        expected_close=clean.expected_close, notes=clean.notes, status="submitted", submitted_at=utcnow(),
        campaign_id=campaign.id if campaign else None)
    db.session.add(reg)
    db.session.flush()
    found = find_conflicts(Company.of_registration(reg), reg.families, on, exclude_registration=reg.id)
    for item in found:
        db.session.add(Conflict(registration_id=reg.id, other_id=item.registration_id,
                                house_account_id=item.house_account_id, own=item.partner_id == partner.id,
                                score=item.score, reasons=item.reasons))
    if any(item.partner_id != partner.id for item in found):
        reg.status = "in_review"
    db.session.flush()
    index_registration(reg)
    append_event(reg, "submitted", actor, {
        **reg.snapshot(), "status": reg.status, "source": reg.source, "lead_id": reg.lead_id,
        "campaign_id": reg.campaign_id, "conflicts": [_event_conflict(f) for f in found]})
    if chosen is not None:
        attribution.record_attribution(partner, actor, chosen, f"registration #{reg.id} ({reg.customer_name})")
    notices.submitted(reg)
    return reg


def _event_conflict(found: Found) -> dict[str, Any]:
    side = ({"registration_id": found.registration_id, "partner_id": found.partner_id} if found.registration_id
            else {"house_account_id": found.house_account_id})
    return {**side, "score": str(found.score), "reasons": found.reasons}


@dataclass(frozen=True)
class Availability:
    """The answer to "is this customer available?": yes or no, without details of any other
    partner; when the asking partner's own active registration covers the customer, that is said,
    with the registration's id when the asking user may open it."""

    available: bool
    own_registration: bool = False
    own_registration_id: int | None = None


def check_availability(partner: Partner | None, customer: CustomerInput, families: Iterable[str],
                       viewer: User | None = None) -> Availability:
    """Tell whether an active registration (another partner's or the partner's own) or a house
    account already covers the customer (staff, `partner` None: any match counts).

    `viewer` is the asking user: the id of the partner's own registration is given only when that
    user may see it (a sales rep does not see a colleague's)."""
    errors: dict[str, str] = {}
    clean = clean_customer(customer, errors)
    fams = clean_families(list(families), errors)
    if errors:
        raise RegistrationError("Some fields are invalid: see fields.", fields=errors)
    found = find_conflicts(Company(clean.name, clean.domain, clean.country, clean.vat_id, clean.city), fams, clock.today())
    if partner is None:
        return Availability(not found)
    own = [f for f in found if f.registration_id is not None and f.partner_id == partner.id]
    if not own:
        return Availability(not found)
    shown = None
    for item in own:  # best match first
        reg = db.session.get(Registration, item.registration_id)
        if reg is not None and viewer is not None and can_see(viewer, reg):
            shown = reg.id
            break
    return Availability(False, own_registration=True, own_registration_id=shown)


# --- reading -------------------------------------------------------------------------------------------------

def sees_all_of_partner(user: User) -> bool:
    """A partner admin sees all of its partner's registrations; a sales rep only its own."""
    return user.role == "partner_admin"


def can_see(user: User, reg: Registration) -> bool:
    """Whether a partner user may see (and act on) a registration of its partner."""
    if user.partner_id != reg.partner_id:
        return False
    return sees_all_of_partner(user) or reg.created_by_id == user.id


def visible_to(partner: Partner, user: User) -> Select:
    """The registrations a partner user may list (the partner's; for a sales rep, its own)."""
    stmt = Registration.for_partner(partner)
    if not sees_all_of_partner(user):
        stmt = stmt.where(Registration.created_by_id == user.id)
    return stmt


def get_visible(partner: Partner, user: User, registration_id: int) -> Registration | None:
    """A registration the partner user may see, or None (another partner's or another rep's)."""
    try:
        return load_owned(Registration, registration_id, partner, visible=lambda reg: can_see(user, reg))
    except NotFound:
        return None


def filter_list(stmt: Select, status: str | None = None, q: str | None = None,
                country: str | None = None) -> Select:
    """Narrow a registration select by status, customer text and country."""
    if status:
        stmt = stmt.where(Registration.status == status)
    if country:
        stmt = stmt.where(Registration.customer_country == country.strip().upper())
    if q:
        like = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Registration.customer_name.ilike(like, escape="\\"),
                              Registration.customer_domain.ilike(like, escape="\\"),
                              Registration.external_ref.ilike(like, escape="\\")))
    return stmt


def status_counts(stmt: Select) -> dict[str, int]:
    """How many of a registration select are in each status."""
    sub = stmt.subquery()
    return dict(db.session.execute(select(sub.c.status, func.count()).group_by(sub.c.status)).all())


def conflict_flags(ids: Iterable[int]) -> dict[int, str]:
    """Per registration: "conflict" when it overlaps another partner's registration or a house account (in either
    direction), "duplicate" when it only overlaps the same partner's own registrations."""
    ids = set(ids)
    flags: dict[int, str] = {}
    if not ids:
        return flags
    with unscoped():
        rows = db.session.execute(select(Conflict.registration_id, Conflict.other_id, Conflict.own).where(
            or_(Conflict.registration_id.in_(ids), Conflict.other_id.in_(ids)))).all()
    for registration_id, other_id, own in rows:
        for rid in (registration_id, other_id):
            if rid in ids:
                flags[rid] = flags.get(rid, "duplicate") if own else "conflict"
    return flags


@dataclass(frozen=True)
class Summary:
    """Dashboard figures: registrations by status, protections ending soon, waiting ones and the oldest wait."""

    counts: dict[str, int]
    ending_soon: int
    recent: list[Registration]
    waiting_since: datetime | None = None


def partner_summary(partner: Partner, user: User) -> Summary:
    """A partner user's registrations at a glance (its own; a partner admin: the partner's)."""
    stmt = visible_to(partner, user)
    horizon = clock.today() + timedelta(days=setting("REMINDER_DAYS"))
    ending = db.session.scalar(select(func.count()).select_from(stmt.where(
        Registration.status == "approved", Registration.protected_until <= horizon).subquery())) or 0
    recent = list(db.session.scalars(stmt.order_by(Registration.submitted_at.desc(), Registration.id.desc()).limit(5)))
    return Summary(status_counts(stmt), ending, recent)


def staff_summary(manager: User | None = None) -> Summary:
    """Registrations waiting for a decision (of a manager's partners when given), oldest first."""
    stmt = select(Registration).where(Registration.status.in_(PENDING_STATUSES))
    if manager is not None:
        stmt = stmt.where(Registration.partner_id.in_(select(Partner.id).where(Partner.manager_id == manager.id)))
    recent = list(db.session.scalars(stmt.order_by(Registration.submitted_at, Registration.id).limit(5)))
    return Summary(status_counts(stmt), 0, recent, recent[0].submitted_at if recent else None)


@dataclass(frozen=True)
class Link:
    """A conflict seen from one registration: the other side, and whether this one was checked against it."""

    conflict: Conflict
    other: Registration | None  # None for a house account
    checked_here: bool  # True: found when this registration was submitted; False: a later one found this


def links_of(reg: Registration) -> list[Link]:
    """Every conflict involving a registration, both directions (staff view)."""
    with unscoped():
        conflicts = db.session.scalars(select(Conflict).where(
            or_(Conflict.registration_id == reg.id, Conflict.other_id == reg.id)).order_by(Conflict.id)).all()
        links = []
        for c in conflicts:
            here = c.registration_id == reg.id
            other = c.other if here else c.registration
            links.append(Link(c, other, here))
    return links
