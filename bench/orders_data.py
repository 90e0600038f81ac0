"""The orders benchmark's data (bench/orders.py): a partner, its users and a priced catalog."""
from __future__ import annotations

from datetime import date, timedelta
from random import Random

PRODUCTS = 1_000
LINES = 20
PASSWORD = "bench-password-1"


def skus() -> list[str]:
    return [f"SKU-{n:04d}" for n in range(1, PRODUCTS + 1)]


def build(database_url: str, clients: int) -> dict:
    """Schema; a gold partner with a manager, an admin, one user per client (password and API
    token), a default ship-to address and a credit limit far above what the run orders;
    1,000 products priced in an EUR price book (half with volume tiers), tier discounts and
    100 contract prices."""
    from flask_migrate import upgrade

    from catalog.models import PriceBook, TierDiscount
    from portal import create_app
    from portal.extensions import db
    from portal.models import Partner, User
    from portal.services.auth import hash_password

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade(revision="heads")
        password = hash_password(PASSWORD)
        partner = Partner(name="Bench Partner", kind="reseller", tier="gold", country="DE", region="EMEA",
                          currency="EUR", payment_terms_days=30)
        db.session.add(partner)
        db.session.flush()
        db.session.add(User(email="admin@example.com", name="Partner Admin", role="partner_admin",
                            partner_id=partner.id, password_hash=password))
        book = PriceBook(name="EUR", currency="EUR", valid_from=date.today() - timedelta(days=1))
        db.session.add(book)
        db.session.flush()
        users = populate(partner, book, clients, password)
        db.session.add_all([TierDiscount(tier="gold", family=f, percent=p)
                            for f, p in (("hardware", 10), ("software", 8), ("services", 5))])
        _commit_and_analyze()
    return {"users": users}


def add_to_pricing_data(database_url: str, clients: int) -> list[dict]:
    """What `build` adds, onto bench/pricing.py's partner and price book (bench/speed.py runs both
    benchmarks' pages on one database; `build`'s own partner, book and tier discounts would clash
    with pricing's). The partner's admin is pricing's bench@example.com."""
    from sqlalchemy import select

    from catalog.models import PriceBook
    from portal import create_app
    from portal.extensions import db
    from portal.models import Partner
    from portal.services.auth import hash_password

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        partner = db.session.scalar(select(Partner).where(Partner.name == "Bench Partner"))
        book = db.session.scalar(select(PriceBook).where(PriceBook.currency == "EUR"))
        users = populate(partner, book, clients, hash_password(PASSWORD))
        _commit_and_analyze()
    return users


def populate(partner, book, clients: int, password: str) -> list[dict]:
    """A manager for `partner`, credit far above a run's total, one buyer per client (password and
    API token), a default ship-to, the 1,000 products priced in `book` (half with volume tiers)
    and a contract price for every 10th. Returns the buyers' e-mails and tokens."""
    from sqlalchemy import insert

    from catalog.models import ContractPrice, PriceBookEntry, Product
    from orders.services import addresses
    from portal.extensions import db
    from portal.models import User
    from portal.services import tokens

    manager = User(email="manager@example.com", name="Manager", role="partner_manager", password_hash=password)
    db.session.add(manager)
    db.session.flush()
    partner.manager_id = manager.id
    partner.credit_limit_minor = 2_000_000_000  # a 32-bit column: 20 million euros
    users = []
    for n in range(clients):
        user = User(email=f"buyer{n}@example.com", name=f"Buyer {n}", role="partner_user",
                    partner_id=partner.id, password_hash=password)
        db.session.add(user)
        db.session.flush()
        _, raw = tokens.issue_token(None, user, "bench")
        users.append({"email": user.email, "token": raw})
    addresses.add_address(partner, {"label": "Main warehouse", "recipient": "Bench GmbH",
                                    "street": "Hauptstr. 1", "postal_code": "10115", "city": "Berlin",
                                    "country": "DE"})
    families = ["hardware", "software", "services"]
    db.session.execute(insert(Product), [
        {"sku": sku, "name": f"Product {sku}", "family": families[i % 3], "description": "",
         "unit": "each", "active": True} for i, sku in enumerate(skus())])
    db.session.execute(insert(PriceBookEntry), [
        {"price_book_id": book.id, "code": sku, "unit_price_minor": 1000 + (i * 37) % 5000,
         "tiers": [[10, 900 + (i * 37) % 5000]] if i % 2 else []} for i, sku in enumerate(skus())])
    db.session.execute(insert(ContractPrice), [
        {"partner_id": partner.id, "code": sku, "unit_price_minor": 700, "currency": "EUR"}
        for sku in skus()[::10]])
    return users


def _commit_and_analyze() -> None:
    from portal.extensions import db

    db.session.commit()
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()


def order_lines(rng: Random) -> list[tuple[str, int]]:
    """20 distinct products, 1 to 3 of each."""
    return [(sku, rng.randint(1, 3)) for sku in rng.sample(skus(), LINES)]
