"""Report filters from the query string (date range, region, tier, partner manager, partner,
currency) and the viewer's scope: a partner manager only ever sees its own partners' figures."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql.expression import ColumnElement

from portal.errors import Malformed
from portal.extensions import db
from portal.models import PARTNER_TIERS, Partner, User
from portal.money import is_currency
from portal.services import partners as partner_service

#: Staff roles that see every partner's figures; a partner manager sees its own partners only.
SEE_ALL = ("admin", "sales_ops")
DEFAULT_MONTHS = 12
MAX_DAYS = 3653  # ten years: a month axis of at most 121 columns


class FilterError(Malformed):
    """A filter value that cannot be used (shown next to its field, answered with a 400)."""


@dataclass(frozen=True)
class Filters:
    """What the viewer asked for, already narrowed to what the viewer may see."""

    date_from: date
    date_to: date
    region: str | None = None
    tier: str | None = None
    manager_id: int | None = None  # forced to the viewer for a partner manager
    partner_id: int | None = None
    q: str | None = None  # partner name contains
    currency: str | None = None
    campaign_id: int | None = None
    viewer_sees_all: bool = True

    @property
    def start(self) -> datetime:
        """The first instant of the range (UTC midnight of `date_from`)."""
        return datetime.combine(self.date_from, time.min, tzinfo=timezone.utc)

    @property
    def end(self) -> datetime:
        """The first instant after the range (UTC midnight after `date_to`)."""
        return datetime.combine(date.fromordinal(self.date_to.toordinal() + 1), time.min, tzinfo=timezone.utc)

    def months(self) -> list[str]:
        """Every `YYYY-MM` of the range, oldest first."""
        out, year, month = [], self.date_from.year, self.date_from.month
        while (year, month) <= (self.date_to.year, self.date_to.month):
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def partner_conditions(self) -> list[ColumnElement]:
        """WHERE conditions on `partners` for the scope and the partner filters."""
        conds: list[ColumnElement] = []
        if self.manager_id is not None:
            conds.append(Partner.manager_id == self.manager_id)
        if self.region:
            conds.append(Partner.region == self.region)
        if self.tier:
            conds.append(Partner.tier == self.tier)
        if self.partner_id is not None:
            conds.append(Partner.id == self.partner_id)
        if self.q:
            conds.append(func.lower(Partner.name).contains(self.q.lower(), autoescape=True))
        return conds

    def args(self, **changes: Any) -> dict[str, str]:
        """The filters as query-string arguments (for links and the CSV export)."""
        values = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat(), "region": self.region,
                  "tier": self.tier, "manager": self.manager_id if self.viewer_sees_all else None,
                  "partner": self.partner_id, "q": self.q, "currency": self.currency,
                  "campaign": self.campaign_id}
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


@dataclass
class FilterChoices:
    """The options the filter form offers this viewer."""

    regions: list[str]
    tiers: tuple[str, ...]
    managers: list[tuple[int, str]]
    currencies: list[str]
    partner_name: str | None = None


def default_range(today: date) -> tuple[date, date]:
    """The last twelve months: from the first day of the month eleven months ago to today."""
    month_index = today.year * 12 + today.month - 1 - (DEFAULT_MONTHS - 1)
    return date(month_index // 12, month_index % 12 + 1, 1), today


def _date(args: Any, key: str, default: date, errors: dict[str, str]) -> date:
    raw = (args.get(key) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = "Give a date as YYYY-MM-DD."
        return default


def _int(args: Any, key: str, errors: dict[str, str], what: str) -> int | None:
    raw = (args.get(key) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        errors[key] = f"Choose a {what} from the list."
        return None
    return int(raw)


def parse_filters(args: Any, viewer: User, today: date) -> Filters:
    """Filters from `args`; raises FilterError (with every bad field) when one cannot be used."""
    errors: dict[str, str] = {}
    start, end = default_range(today)
    date_from, date_to = _date(args, "from", start, errors), _date(args, "to", end, errors)
    if not errors and date_from > date_to:
        errors["to"] = "The end date is before the start date."
    elif not errors and date_to.toordinal() - date_from.toordinal() > MAX_DAYS:
        errors["from"] = "Choose at most ten years at a time."
    tier = (args.get("tier") or "").strip() or None
    if tier is not None and tier not in PARTNER_TIERS:
        errors["tier"] = f"Choose one of {', '.join(PARTNER_TIERS)}."
    currency = (args.get("currency") or "").strip().upper() or None
    if currency is not None and not is_currency(currency):
        errors["currency"] = "Give an ISO 4217 currency code such as EUR."
    region = (args.get("region") or "").strip() or None
    if region is not None and len(region) > 64:
        errors["region"] = "A region has at most 64 characters."
    q = (args.get("q") or "").strip() or None
    if q is not None and len(q) > 200:
        errors["q"] = "Search for at most 200 characters."
    manager_id = _int(args, "manager", errors, "partner manager")
    partner_id = _int(args, "partner", errors, "partner")
    campaign_id = _int(args, "campaign", errors, "campaign")
    sees_all = viewer.role in SEE_ALL
    if not sees_all:
        manager_id = viewer.id  # a partner manager's figures are its own partners'
    if errors:
        raise FilterError("Some filters cannot be used: see the fields.", fields=errors)
    return Filters(date_from, date_to, region, tier, manager_id, partner_id, q, currency, campaign_id, sees_all)


def fallback_filters(viewer: User, today: date) -> Filters:
    """The default filters (used to draw the form when the given ones are wrong)."""
    start, end = default_range(today)
    sees_all = viewer.role in SEE_ALL
    return Filters(start, end, manager_id=None if sees_all else viewer.id, viewer_sees_all=sees_all)


def filter_choices(filters: Filters) -> FilterChoices:
    """Regions, managers and currencies to choose from (three small queries)."""
    regions = list(db.session.scalars(select(Partner.region).distinct().order_by(Partner.region)))
    currencies = list(db.session.scalars(select(Partner.currency).distinct().order_by(Partner.currency)))
    managers = [(u.id, u.name) for u in partner_service.managers()] if filters.viewer_sees_all else []
    name = db.session.scalar(select(Partner.name).where(Partner.id == filters.partner_id)) \
        if filters.partner_id is not None else None
    return FilterChoices(regions, PARTNER_TIERS, managers, currencies, name)
