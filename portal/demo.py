"""Demo data: staff, partners of every kind and tier, and their users (idempotent)."""
from __future__ import annotations


from sqlalchemy import func, select, update

from portal.extension_points import registry
from portal.extensions import db
from portal.db import utcnow
from portal.models import Notification, Partner, User
from portal.money import Money
from portal.services import auth

PASSWORD = "portal-demo-1"
STAFF = [
    ("admin@example.com", "Ada Admin", "admin"),
    ("manager@example.com", "Max Manager", "partner_manager"),
    ("manager2@example.com", "Mia Manager", "partner_manager"),
    ("ops@example.com", "Olga Ops", "sales_ops"),
]
PARTNERS = [
    # name, kind, tier, country, region, currency, credit limit (major units), terms, status, manager
    ("Northwind Distribution", "distributor", "gold", "DE", "EMEA", "EUR", 250000, 45, "active", 0),
    ("Contoso Resellers", "reseller", "silver", "US", "NA", "USD", 80000, 30, "active", 0),
    ("Sakura Systems", "reseller", "platinum", "JP", "APAC", "JPY", 30000000, 60, "active", 1),
    ("Andes Agents", "agent", "registered", "CL", "LATAM", "USD", 10000, 30, "active", 1),
    ("Fabrikam Solutions", "reseller", "silver", "GB", "EMEA", "GBP", 40000, 30, "suspended", 0),
]
PARTNER_USERS = [
    ("admin@northwind.example", "Nora Northwind", "partner_admin", 0),
    ("rep@northwind.example", "Ned Northwind", "partner_user", 0),
    ("admin@contoso.example", "Carl Contoso", "partner_admin", 1),
    ("rep@contoso.example", "Cleo Contoso", "partner_user", 1),
    ("admin@sakura.example", "Sato Sakura", "partner_admin", 2),
    ("admin@andes.example", "Ana Andes", "partner_admin", 3),
    ("admin@fabrikam.example", "Fay Fabrikam", "partner_admin", 4),
]


def load() -> bool:
    """Load the demo data once; returns False when it is already there."""
    if db.session.scalar(select(User.id).where(User.email == STAFF[0][0])) is not None:
        return False
    password_hash = auth.hash_password(PASSWORD)
    staff = [User(email=e, name=n, role=r, password_hash=password_hash) for e, n, r in STAFF]
    db.session.add_all(staff)
    db.session.flush()
    managers = [u for u in staff if u.role == "partner_manager"]
    partners = []
    for name, kind, tier, country, region, currency, limit, terms, status, mgr in PARTNERS:
        partner = Partner(name=name, kind=kind, tier=tier, country=country, region=region,
                          currency=currency, payment_terms_days=terms, status=status,
                          manager_id=managers[mgr].id)
        partner.credit_limit_minor = Money.from_decimal(limit, currency).amount_minor
        partners.append(partner)
    db.session.add_all(partners)
    db.session.flush()
    users = [User(email=e, name=n, role=r, partner_id=partners[p].id, password_hash=password_hash)
             for e, n, r, p in PARTNER_USERS]
    db.session.add_all(users)
    db.session.flush()
    objects = {"staff": staff, "partners": partners, "users": users}
    for loader in registry().loaders():  # each feature's data, in their order (portal.extension_points)
        loader.load(objects)
    _settle_notifications()
    return True


def _settle_notifications(unread: int = 6) -> None:
    """Users have read what came before their newest few notifications, as in a portal in use."""
    newest = (select(Notification.id, func.row_number().over(partition_by=Notification.user_id,
                                                               order_by=Notification.id.desc()).label("n"))
              .subquery())
    older = select(newest.c.id).where(newest.c.n > unread)
    db.session.execute(update(Notification).where(Notification.id.in_(older)).values(read_at=utcnow())
                       .execution_options(synchronize_session=False))


def logins_text() -> str:
    rows = [f"  {email:<28} {role}" for email, _, role in STAFF]
    rows += [f"  {email:<28} {role} of {PARTNERS[p][0]}" + (" (suspended)" if PARTNERS[p][8] == "suspended" else "")
             for email, _, role, p in PARTNER_USERS]
    return f"Demo log-ins (password for all: {PASSWORD}):\n" + "\n".join(rows)
