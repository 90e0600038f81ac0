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
    from sqlalchemy import insert

    from catalog.models import ContractPrice, PriceBook, PriceBookEntry, Product, TierDiscount
    from orders.services import addresses
    from portal import create_app
    from portal.extensions import db
    from portal.models import Partner, User
    from portal.services import tokens
    from portal.services.auth import hash_password

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade(revision="heads")
        password = hash_password(PASSWORD)
        manager = User(email="manager@example.com", name="Manager", role="partner_manager",
                       password_hash=password)
        db.session.add(manager)
        db.session.flush()
        # credit_limit_minor is a 32-bit integer: 20 million euros, far above the run's total
        partner = Partner(name="Bench Partner", kind="reseller", tier="gold", country="DE", region="EMEA",
                          currency="EUR", credit_limit_minor=2_000_000_000, payment_terms_days=30,
                          manager_id=manager.id)
        db.session.add(partner)
        db.session.flush()
        db.session.add(User(email="admin@example.com", name="Partner Admin", role="partner_admin",
                            partner_id=partner.id, password_hash=password))
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
        book = PriceBook(name="EUR", currency="EUR", valid_from=date.today() - timedelta(days=1))
        db.session.add(book)
        db.session.flush()
        db.session.execute(insert(PriceBookEntry), [
            {"price_book_id": book.id, "code": sku, "unit_price_minor": 1000 + (i * 37) % 5000,
             "tiers": [[10, 900 + (i * 37) % 5000]] if i % 2 else []} for i, sku in enumerate(skus())])
        db.session.execute(insert(ContractPrice), [
            {"partner_id": partner.id, "code": sku, "unit_price_minor": 700, "currency": "EUR"}
            for sku in skus()[::10]])
        db.session.add_all([TierDiscount(tier="gold", family=f, percent=p)
                            for f, p in (("hardware", 10), ("software", 8), ("services", 5))])
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return {"users": users}


def order_lines(rng: Random) -> list[tuple[str, int]]:
    """20 distinct products, 1 to 3 of each."""
    return [(sku, rng.randint(1, 3)) for sku in rng.sample(skus(), LINES)]
