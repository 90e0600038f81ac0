"""The data of the reports benchmark (bench/reports.py): 1,000 partners, 1,000,000 order lines,
registrations with their event log, leads, campaigns with MDF and attribution, written with COPY."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from random import Random

PARTNERS, MANAGERS, PRODUCTS, CAMPAIGNS = 1_000, 10, 2_000, 50
LINES, ORDERS = 1_000_000, 100_000
REGISTRATIONS, LEADS = 100_000, 30_000
PASSWORD = "bench-password-1"
REGIONS = [("EMEA", "EUR", "DE"), ("NA", "USD", "US"), ("APAC", "JPY", "JP"), ("UK", "GBP", "GB"), ("DACH", "CHF", "CH")]
TIERS = ("registered", "silver", "gold", "platinum")
ORDER_STATUSES = ["closed"] * 10 + ["invoiced"] * 3 + ["shipped", "confirmed", "submitted", "cancelled", "pending_payment"]
REG_STATUSES = ["won"] * 3 + ["lost"] * 2 + ["expired", "approved", "approved", "submitted", "in_review", "rejected"]
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def _copy(conn, table: str, columns: list[str], rows) -> int:
    """COPY rows (tuples in `columns` order) into `table`; returns how many."""
    n = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _ago(rng: Random, days: int) -> datetime:
    return NOW - timedelta(seconds=rng.randint(3600, days * 86400))


def build(database_url: str, scale: float) -> dict[str, int]:
    """Schema (migrations), staff with passwords, then every table in bulk."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from portal.services.auth import hash_password

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    rng = Random(9)
    counts: dict[str, int] = {}
    with app.app_context():
        upgrade(revision="heads")
        raw = db.engine.raw_connection()
        conn = raw.driver_connection
        password = hash_password(PASSWORD)
        staff = [("admin@example.com", "Admin", "admin"), ("ops@example.com", "Ops", "sales_ops")]
        staff += [(f"manager{m}@example.com", f"Manager {m}", "partner_manager") for m in range(MANAGERS)]
        _copy(conn, "users", ["id", "email", "name", "role", "password_hash", "active", "auth_version", "failed_logins",
                              "created_at", "updated_at"],
              ((i + 1, e, n, r, password, True, 1, 0, NOW, NOW) for i, (e, n, r) in enumerate(staff)))
        partners = int(PARTNERS)
        managers = [3 + m for m in range(MANAGERS)]  # user ids of the managers
        partner_rows = []
        for p in range(1, partners + 1):
            region, currency, country = REGIONS[p % len(REGIONS)]
            partner_rows.append((p, f"Partner {p:04d}", "reseller", TIERS[p % 4], country, region, currency,
                                 10**9, 30, "active", managers[p % MANAGERS], NOW, NOW))
        counts["partners"] = _copy(conn, "partners", ["id", "name", "kind", "tier", "country", "region", "currency",
                                                      "credit_limit_minor", "payment_terms_days", "status", "manager_id",
                                                      "created_at", "updated_at"], partner_rows)
        currency_of = {p[0]: p[6] for p in partner_rows}
        families = ("hardware", "software", "services")
        skus = [(f"SKU-{n:05d}", f"Product {n:05d}", families[n % 3], 1000 + (n * 37) % 90000) for n in range(PRODUCTS)]
        _copy(conn, "products", ["sku", "name", "family", "description", "unit", "active", "created_at", "updated_at"],
              ((s, n, f, "", "each", True, NOW, NOW) for s, n, f, _ in skus))
        # rows as wide as real ones: a line keeps its price waterfall, an order its ship-to address
        waterfalls = {s: json.dumps([
            {"step": "list", "label": "List price", "amount": f"{p / 100:.2f}"},
            {"step": "tier_discount", "label": f"Gold tier discount 10% ({f})", "amount": f"-{p / 1000:.2f}"},
            {"step": "net", "label": "Net price", "amount": f"{p * 0.9 / 100:.2f}"}]) for s, _, f, p in skus}
        ship_to = json.dumps({"label": "Main warehouse", "recipient": "Bench Partner GmbH", "street": "Hauptstr. 1",
                              "postal_code": "10115", "city": "Berlin", "country": "DE"})
        orders = int(ORDERS * scale)
        lines_total = int(LINES * scale)
        dates = sorted(_ago(rng, 730) for _ in range(orders))  # ids follow time, as in production
        order_rows, line_rows, line_id = [], [], 0
        per_order = [lines_total // orders + (1 if i < lines_total % orders else 0) for i in range(orders)]
        weights = [1 + (p % 7) for p in range(1, partners + 1)]
        owners = rng.choices(range(1, partners + 1), weights=weights, k=orders)
        for oid, (when, partner, n_lines) in enumerate(zip(dates, owners, per_order), start=1):
            total = 0
            cur = currency_of[partner]
            for pos in range(n_lines):
                line_id += 1
                sku, name, family, price = skus[int(rng.paretovariate(1.2) * 7) % PRODUCTS]
                qty = rng.randint(1, 20)
                price = price * 16 // 10 if cur == "JPY" else price  # yen have no minor unit
                total += qty * price
                line_rows.append((line_id, partner, oid, pos, sku, name, family, "[]", "[]", qty, price, price,
                                  qty * price, waterfalls[sku]))
            order_rows.append((oid, partner, rng.choice(ORDER_STATUSES), "on_account", f"PO-{oid}", cur, total, "",
                               ship_to, "cart", when, when, when))
        counts["orders"] = _copy(conn, "orders", ["id", "partner_id", "status", "payment_method", "po_number", "currency",
                                                  "total_minor", "notes", "ship_to", "source", "created_at", "updated_at",
                                                  "submitted_at"], order_rows)
        counts["order_lines"] = _copy(conn, "order_lines", [
            "id", "partner_id", "order_id", "position", "sku", "name", "family", "options", "option_names", "quantity",
            "unit_list_minor", "unit_net_minor", "line_total_minor", "waterfall"], line_rows)
        del line_rows
        counts.update(_pipeline(conn, rng, scale, partners, currency_of, managers))
        counts.update(_campaigns(conn, rng, partners))
        counts.update(_attribute(conn))
        with conn.cursor() as cur:
            for table in ("users", "partners", "orders", "order_lines", "registrations", "leads", "lead_ownerships",
                          "campaigns", "campaign_enrolments", "mdf_requests", "mdf_claims"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        raw.close()
    return counts


def _pipeline(conn, rng: Random, scale: float, partners: int, currency_of: dict[int, str],
              managers: list[int]) -> dict[str, int]:
    """Registrations with their event log entries; leads with ownerships, some converted."""
    regs, events, seq = [], [], 0

    def log(reg_id: int, partner: int, name: str, at: datetime, actor: int | None) -> None:
        nonlocal seq
        seq += 1
        events.append((seq, reg_id, partner, name, actor, "bench", at, "{}", f"{seq - 1:064x}", f"{seq:064x}"))

    n_regs = int(REGISTRATIONS * scale)
    for rid in range(1, n_regs + 1):
        partner = rng.randint(1, partners)
        status = rng.choice(REG_STATUSES)
        submitted = _ago(rng, 730)
        decided = submitted + timedelta(hours=rng.expovariate(1 / 30)) if status not in ("submitted", "in_review") else None
        regs.append([rid, partner, "portal", f"Customer {rid}", "DE", '["hardware"]', "[]",
                     rng.randint(1, 500) * 100_000, currency_of[partner], "", status, submitted, submitted, submitted,
                     decided, None])
        log(rid, partner, "submitted", submitted, None)
        if decided is not None:
            log(rid, partner, "rejected" if status == "rejected" else "approved", decided, managers[partner % len(managers)])
    lead_rows, ownerships = [], []
    by_partner: dict[int, list[list]] = {}
    for reg in regs:
        by_partner.setdefault(reg[1], []).append(reg)
    oid = 0
    for lid in range(1, int(LEADS * scale) + 1):
        partner = rng.randint(1, partners)
        started = _ago(rng, 730)
        converted = bool(rng.random() < 0.4 and by_partner.get(partner))
        status, opportunity = ("converted", None) if converted else ("pool", None)
        if converted:
            reg = by_partner[partner].pop()
            opportunity = reg[0]  # the registration's lead_id is set once the leads exist
        lead_rows.append((lid, f"Lead {lid}", f"lead {lid}", "DE", "", "", "", "", "EMEA", '["hardware"]', "", "",
                          "manual", status, partner if converted else None, opportunity, started, started))
        oid += 1
        ownerships.append((oid, lid, partner, "claim", started, "converted" if converted else "released"))
        if rng.random() < 0.1:
            oid += 1
            ownerships.append((oid, lid, rng.randint(1, partners), "claim", started - timedelta(days=20), "fell_back"))
    out = {"registrations": _copy(conn, "registrations", [
        "id", "partner_id", "source", "customer_name", "customer_country", "families", "skus", "amount_minor", "currency",
        "notes", "status", "submitted_at", "created_at", "updated_at", "decided_at", "lead_id"], regs)}
    out["registration_events"] = _copy(conn, "registration_events", [
        "seq", "registration_id", "partner_id", "event", "actor_id", "actor_label", "at", "data", "prev_hash", "hash"],
        events)
    with conn.cursor() as cur:  # a won registration's order: one of its partner's orders
        cur.execute("UPDATE registrations r SET won_order_id = (SELECT max(o.id) FROM orders o WHERE o.partner_id = "
                    "r.partner_id) WHERE r.status = 'won'")
    out["leads"] = _copy(conn, "leads", [
        "id", "company_name", "company_key", "company_country", "company_city", "contact_name", "contact_email",
        "contact_phone", "region", "families", "tiers", "notes", "source", "status", "owner_partner_id", "opportunity_id",
        "created_at", "updated_at"], lead_rows)
    out["lead_ownerships"] = _copy(conn, "lead_ownerships", ["id", "lead_id", "partner_id", "via", "started_at",
                                                             "outcome"], ownerships)
    with conn.cursor() as cur:  # both sides of a conversion point at each other (foreign keys both ways)
        cur.execute("UPDATE registrations r SET lead_id = l.id FROM leads l WHERE l.opportunity_id = r.id")
    return out


def _campaigns(conn, rng: Random, partners: int) -> dict[str, int]:
    camps, enrolments, requests, claims = [], [], [], []
    for cid in range(1, CAMPAIGNS + 1):
        start = (NOW - timedelta(days=rng.randint(0, 700))).date()
        camps.append((cid, f"Campaign {cid:02d}", "", start, start + timedelta(days=rng.randint(30, 120)), "published",
                      "[]", "[]", "[]", "EUR", 100_000_000, 0, NOW, NOW))
        for p in rng.sample(range(1, partners + 1), 200):
            enrolments.append((len(enrolments) + 1, cid, p, NOW))
    for rid in range(1, 2001):
        cid, partner = rng.randint(1, CAMPAIGNS), rng.randint(1, partners)
        status = rng.choice(("submitted", "approved", "rejected", "paid", "claimed"))
        approved = 500_000 if status in ("approved", "paid", "claimed") else None
        requests.append((rid, cid, partner, "Event", "Plan", date.today(), date.today(), "EUR", 800_000, approved, status,
                         "", NOW, NOW))
        if status in ("paid", "claimed"):
            claims.append((len(claims) + 1, rid, partner, "EUR", 500_000, "", "paid" if status == "paid" else "submitted",
                           500_000 if status == "paid" else None, "", "", NOW, NOW))
    return {"campaigns": _copy(conn, "campaigns", ["id", "name", "description", "starts_on", "ends_on", "status", "tiers",
                                                   "regions", "kinds", "currency", "mdf_budget_minor",
                                                   "mdf_reserved_minor", "created_at", "updated_at"], camps),
            "campaign_enrolments": _copy(conn, "campaign_enrolments", ["id", "campaign_id", "partner_id", "created_at"],
                                         enrolments),
            "mdf_requests": _copy(conn, "mdf_requests", ["id", "campaign_id", "partner_id", "activity", "plan",
                                                         "starts_on", "ends_on", "currency", "requested_minor",
                                                         "approved_minor", "status", "decision_note", "created_at",
                                                         "updated_at"], requests),
            "mdf_claims": _copy(conn, "mdf_claims", ["id", "request_id", "partner_id", "currency", "amount_minor", "note",
                                                     "status", "approved_minor", "decision_note", "payment_reference",
                                                     "created_at", "updated_at"], claims)}


def _attribute(conn) -> dict[str, int]:
    """A fifth of the registrations and a quarter of the leads attributed to a campaign (spread over all)."""
    with conn.cursor() as cur:
        cur.execute(f"UPDATE registrations SET campaign_id = 1 + (id / 5) % {CAMPAIGNS} WHERE id % 5 = 0")
        regs = cur.rowcount
        cur.execute(f"UPDATE leads SET campaign_id = 1 + (id / 4) % {CAMPAIGNS} WHERE id % 4 = 0")
        return {"attributed_registrations": regs, "attributed_leads": cur.rowcount}
