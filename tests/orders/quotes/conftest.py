"""Quote test set-up: two partners (Alpha silver with a manager, Bravo gold without) and the test
catalog (SRV configurable hardware, LIC software, an EUR book, tier discounts)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from catalog.services.pricing import LineInput
from orders.quotes import services
from orders.quotes.models import Quote
from tests import factories
from tests.catalog.builders import build

SERVER_OPTIONS = ("CPU-8", "RAM-32")  # SRV 1000 + 200 + 100 = 1300.00 list


@dataclass
class World:
    p: factories.TwoPartners
    catalog: dict[str, Any]
    other_manager: Any


@pytest.fixture
def world(two_partners) -> World:
    other = factories.make_user(role="partner_manager")
    two_partners.b.manager_id = other.id  # Bravo belongs to another manager
    return World(two_partners, build(), other)


def lines(*items: tuple) -> list[LineInput]:
    """(sku, quantity[, options]) tuples as pricing inputs."""
    return [LineInput(i[0], i[1], tuple(i[2]) if len(i) > 2 else ()) for i in items]


def server_and_licences(servers: int = 2, licences: int = 10) -> list[LineInput]:
    return lines(("SRV", servers, SERVER_OPTIONS), ("LIC", licences))


def make_quote(partner, user, percent: Any = "0", items: list[LineInput] | None = None, **extra: Any) -> Quote:
    return services.create_quote(partner, user, services.QuoteInput(
        lines=items or server_and_licences(), requested_discount_percent=percent, **extra))


def pending_quote(world: World, percent: str = "10") -> Quote:
    """Alpha (silver, 2% limit) asks for more than it may approve itself."""
    quote = make_quote(world.p.a, world.p.a_user, percent, justification="Competition.")
    return services.submit_quote(world.p.a, world.p.a_user, quote.id)


def approved_quote(world: World, percent: str = "2") -> Quote:
    quote = make_quote(world.p.a, world.p.a_user, percent)
    return services.submit_quote(world.p.a, world.p.a_user, quote.id)
