"""Pure tests of the price waterfall, price book selection and book diffs (no app, no database)."""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal as D

import pytest

from catalog.pricing import (
    CampaignPriceRule, ContractPriceData, DealDiscount, EntryData, InvalidPricingData,
    InvalidQuantity, MissingPrice, NoPriceBook, PriceBookData, PricingError, diff_books,
    price_document, price_line, select_price_book, unit_for_quantity,
)
from portal.money import Money

ON = date(2026, 6, 1)


def make_book(*entries: EntryData, currency: str = "EUR", id: int = 1, name: str = "EU list",
              valid_from: date = date(2026, 1, 1), valid_to: date | None = None) -> PriceBookData:
    return PriceBookData(id, name, currency, valid_from, valid_to, {e.code: e for e in entries})


SERVER = EntryData("SRV-1", D("1000.00"), ((10, D("900.00")), (50, D("800.00"))))
RAM = EntryData("OPT-RAM-32", D("200.00"))
DISK = EntryData("OPT-SSD", D("50.00"), ((10, D("45.00")),))
BOOK = make_book(SERVER, RAM, DISK)
GOLD = {"hardware": D("10"), "software": D("20")}


def steps(line):
    return [s.step for s in line.waterfall]


def amounts(line):
    return {s.step: s.amount.as_str() for s in line.waterfall}


def assert_adds_up(line):
    """list + every adjustment == net, to the minor unit."""
    body = line.waterfall
    assert body[0].step == "list" and body[-1].step == "net"
    total = body[0].amount
    for step in body[1:-1]:
        total += step.amount
    assert total == body[-1].amount == line.unit_net


# --- price book selection ------------------------------------------------------------------

def test_book_in_partner_currency_valid_on_date_is_chosen():
    eur = make_book(id=1, currency="EUR")
    usd = make_book(id=2, currency="USD", valid_from=date(2026, 5, 1))
    assert select_price_book([usd, eur], "EUR", ON).id == 1
    assert select_price_book([usd, eur], "USD", ON).id == 2


def test_latest_valid_from_wins_and_a_future_book_waits_for_its_date():
    old = make_book(id=9, valid_from=date(2025, 1, 1))  # highest id, but oldest valid_from
    current = make_book(id=2, valid_from=date(2026, 1, 1))
    future = make_book(id=3, valid_from=date(2026, 7, 1))
    books = [current, future, old]
    assert select_price_book(books, "EUR", ON).id == 2
    assert select_price_book(books, "EUR", date(2026, 6, 30)).id == 2
    assert select_price_book(books, "EUR", date(2026, 7, 1)).id == 3  # valid_from inclusive


def test_valid_to_is_the_last_day_the_book_applies():
    ending = make_book(id=5, valid_from=date(2026, 1, 1), valid_to=date(2026, 6, 30))
    fallback = make_book(id=4, valid_from=date(2025, 1, 1))
    assert select_price_book([ending, fallback], "EUR", date(2026, 6, 30)).id == 5
    assert select_price_book([ending, fallback], "EUR", date(2026, 7, 1)).id == 4


def test_same_valid_from_prefers_the_newest_book():
    assert select_price_book([make_book(id=7), make_book(id=9), make_book(id=8)], "EUR", ON).id == 9


def test_assigned_book_wins_over_a_newer_book_even_in_another_currency():
    assigned = make_book(id=1, currency="USD", valid_from=date(2025, 1, 1))
    newer = make_book(id=2, currency="EUR", valid_from=date(2026, 5, 1))
    assert select_price_book([newer, assigned], "EUR", ON, assigned_id=1).id == 1


@pytest.mark.parametrize("assigned", [
    make_book(id=1, valid_from=date(2025, 1, 1), valid_to=date(2026, 5, 31)),  # expired
    make_book(id=1, valid_from=date(2026, 6, 2)),  # not started yet
])
def test_assigned_book_not_valid_on_the_date_falls_back_to_the_currency_rule(assigned):
    standard = make_book(id=2, valid_from=date(2026, 1, 1))
    assert select_price_book([assigned, standard], "EUR", ON, assigned_id=1).id == 2


def test_unknown_assigned_id_falls_back_too():
    assert select_price_book([make_book(id=2)], "EUR", ON, assigned_id=99).id == 2


def test_no_valid_book_is_a_clear_error_not_a_zero_price():
    books = [make_book(id=1, currency="USD"), make_book(id=2, valid_to=date(2026, 11, 21))]
    with pytest.raises(NoPriceBook, match="^No price book in EUR is valid on 2026-11-22$") as exc:
        select_price_book(books, "EUR", date(2026, 11, 22))
    assert isinstance(exc.value, PricingError)


# --- volume tiers ----------------------------------------------------------------------------

@pytest.mark.parametrize("qty, expected", [
    (1, "1000.00"), (9, "1000.00"),  # one below the first tier: base price
    (10, "900.00"), (49, "900.00"),  # exactly at min_qty 10, one below 50
    (50, "800.00"), (5000, "800.00"),
])
def test_tier_is_the_largest_min_qty_not_above_the_quantity(qty, expected):
    assert unit_for_quantity(SERVER, qty) == D(expected)


def test_tiers_given_out_of_order_are_sorted():
    entry = EntryData("X", D("10"), ((50, D("8")), (10, D("9"))))
    assert [unit_for_quantity(entry, q) for q in (9, 10, 50)] == [D("10"), D("9"), D("8")]


@pytest.mark.parametrize("tiers, message", [
    (((1, D("9")),), "at least 2"),  # the base price is the min_qty 1 price
    (((10, D("9")), (10, D("8"))), "repeat"),
    (((10, D("-1")),), "negative"),
    (((10, 9.5),), "decimal number"),  # floats never get near money
])
def test_bad_entries_are_refused(tiers, message):
    with pytest.raises(InvalidPricingData, match=message):
        EntryData("X", D("10"), tiers)


@pytest.mark.parametrize("qty", [0, -1, 1.0, "2", True, None])
def test_quantity_must_be_a_positive_whole_number(qty):
    with pytest.raises(InvalidQuantity, match="Quantity must be a whole number of at least 1"):
        price_line("SRV-1", "hardware", qty, book=BOOK, on=ON)
    with pytest.raises(InvalidQuantity):
        unit_for_quantity(SERVER, qty)


# --- the waterfall ---------------------------------------------------------------------------

def test_without_discounts_net_is_list():
    line = price_line("SRV-1", "hardware", 1, book=BOOK, on=ON)
    assert steps(line) == ["list", "net"]
    assert line.unit_list == line.unit_net == Money(100000, "EUR")
    assert line.line_total == Money(100000, "EUR")


def test_list_is_the_base_price_and_the_volume_tier_is_its_own_step():
    at_9 = price_line("SRV-1", "hardware", 9, book=BOOK, on=ON)
    at_10 = price_line("SRV-1", "hardware", 10, book=BOOK, on=ON)
    assert steps(at_9) == ["list", "net"]
    assert amounts(at_10) == {"list": "1000.00", "volume_tier": "-100.00", "net": "900.00"}
    assert at_10.waterfall[1].label == "Volume price for SRV-1 (10+ units)"
    assert at_10.line_total.as_str() == "9000.00"


def test_tier_discount_uses_the_product_family_and_names_the_tier():
    hw = price_line("SRV-1", "hardware", 1, book=BOOK, tier_discounts=GOLD, tier_name="gold", on=ON)
    assert amounts(hw)["tier_discount"] == "-100.00"  # 10% of 1000
    assert hw.waterfall[1].label == "Gold tier discount 10% (hardware)"
    services = price_line("SRV-1", "services", 1, book=BOOK, tier_discounts=GOLD, on=ON)
    assert "tier_discount" not in steps(services)  # no discount for that family
    assert services.unit_net.as_str() == "1000.00"


def test_options_are_priced_at_the_line_quantity_and_summed():
    # qty 10: server tier 900 + RAM 200 (no tiers) + SSD tier 45 = 1145; 10% off = 1030.50
    line = price_line("SRV-1", "hardware", 10, ["OPT-RAM-32", "OPT-SSD"], book=BOOK,
                      tier_discounts=GOLD, on=ON)
    assert line.unit_list.as_str() == "1250.00"  # 1000 + 200 + 50: base prices
    assert line.waterfall[0].label == "List price (SRV-1 + 2 options)"
    assert steps(line) == ["list", "volume_tier", "volume_tier", "tier_discount", "net"]
    assert line.unit_net.as_str() == "1030.50"
    assert line.line_total.as_str() == "10305.00"
    assert_adds_up(line)


def test_contract_price_replaces_book_price_and_gets_no_tier_discount():
    contracts = {"OPT-RAM-32": ContractPriceData("OPT-RAM-32", D("150.00"))}
    line = price_line("SRV-1", "hardware", 1, ["OPT-RAM-32"], book=BOOK, tier_discounts=GOLD,
                      contract_prices=contracts, on=ON)
    # server 1000 less 10% = 900; RAM at contract 150 with no tier discount: 1050
    assert line.unit_net.as_str() == "1050.00"
    assert amounts(line) == {"list": "1200.00", "contract_price": "-50.00",
                             "tier_discount": "-100.00", "net": "1050.00"}
    assert line.waterfall[1].label == "Contract price for OPT-RAM-32"
    assert [c.contract for c in line.components] == [False, True]


def test_contract_price_on_the_sku_and_an_option_leaves_no_tier_discount():
    contracts = {"SRV-1": ContractPriceData("SRV-1", D("700")),
                 "OPT-RAM-32": ContractPriceData("OPT-RAM-32", D("150"))}
    line = price_line("SRV-1", "hardware", 50, ["OPT-RAM-32"], book=BOOK, tier_discounts=GOLD,
                      contract_prices=contracts, on=ON)
    assert "tier_discount" not in steps(line) and "volume_tier" not in steps(line)
    assert line.unit_net.as_str() == "850.00"


def test_code_priced_only_by_contract_lists_at_its_contract_price():
    contracts = {"OPT-SPECIAL": ContractPriceData("OPT-SPECIAL", D("75.50"))}
    line = price_line("SRV-1", "hardware", 1, ["OPT-SPECIAL"], book=BOOK,
                      contract_prices=contracts, on=ON)
    assert amounts(line) == {"list": "1075.50", "contract_price": "0.00", "net": "1075.50"}


@pytest.mark.parametrize("valid_from, valid_to, applies", [
    (None, ON - timedelta(days=1), False),  # expired yesterday: back to tier discount
    (ON + timedelta(days=1), None, False),  # starts tomorrow
    (None, ON, True),  # valid_to inclusive
    (ON, None, True),  # valid_from inclusive
])
def test_contract_price_validity(valid_from, valid_to, applies):
    contracts = {"OPT-RAM-32": ContractPriceData("OPT-RAM-32", D("150"), valid_from, valid_to)}
    line = price_line("SRV-1", "hardware", 1, ["OPT-RAM-32"], book=BOOK, tier_discounts=GOLD,
                      contract_prices=contracts, on=ON)
    # with the contract: 900 + 150; without: (1000 + 200) less 10%
    assert line.unit_net.as_str() == ("1050.00" if applies else "1080.00")
    assert ("contract_price" in steps(line)) is applies


def test_several_contract_prices_for_a_code_use_the_one_valid_on_the_date():
    contracts = {"SRV-1": (ContractPriceData("SRV-1", D("600"), None, date(2025, 12, 31)),
                           ContractPriceData("SRV-1", D("700"), date(2026, 1, 1), None))}
    line = price_line("SRV-1", "hardware", 1, book=BOOK, contract_prices=contracts, on=ON)
    assert line.unit_net.as_str() == "700.00"


def test_contract_price_in_another_currency_is_refused():
    contracts = {"SRV-1": ContractPriceData("SRV-1", D("700"), currency="USD")}
    with pytest.raises(InvalidPricingData, match="USD"):
        price_line("SRV-1", "hardware", 1, book=BOOK, contract_prices=contracts, on=ON)


def test_deal_discount_only_for_the_deal_families():
    deal = DealDiscount(12, D("5"), frozenset({"hardware"}))
    hw = price_line("SRV-1", "hardware", 1, book=BOOK, deal=deal, on=ON)
    assert amounts(hw)["deal_discount"] == "-50.00"
    assert hw.waterfall[1].label == "Deal discount 5% (registration #12)"
    sw = price_line("SRV-1", "software", 1, book=BOOK, deal=deal, on=ON)
    assert "deal_discount" not in steps(sw) and sw.unit_net.as_str() == "1000.00"


def test_discounts_compound_in_order_tier_deal_quote():
    deal = DealDiscount(3, D("5"), frozenset({"hardware"}))
    line = price_line("SRV-1", "hardware", 1, book=BOOK, tier_discounts=GOLD, deal=deal,
                      quote_discount=D("2"), on=ON)
    assert steps(line) == ["list", "tier_discount", "deal_discount", "quote_discount", "net"]
    # 1000 x 0.90 x 0.95 x 0.98 = 837.90 (adding percentages would give 830.00)
    assert amounts(line) == {"list": "1000.00", "tier_discount": "-100.00",
                             "deal_discount": "-45.00", "quote_discount": "-17.10",
                             "net": "837.90"}
    assert line.waterfall[3].label == "Quote discount 2%"


def test_campaign_step_sits_between_tier_and_deal_for_promoted_skus_in_its_dates():
    campaign = CampaignPriceRule(4, "Spring servers", D("10"), frozenset({"SRV-1"}),
                                 date(2026, 3, 1), ON)
    deal = DealDiscount(3, D("5"), frozenset({"hardware"}))
    line = price_line("SRV-1", "hardware", 1, book=BOOK, tier_discounts=GOLD, deal=deal,
                      campaign=campaign, on=ON)
    assert steps(line) == ["list", "tier_discount", "campaign", "deal_discount", "net"]
    # 1000 x 0.9 = 900; campaign 10% of 900 = 90; deal 5% of 810 = 40.50
    assert amounts(line)["campaign"] == "-90.00" and line.unit_net.as_str() == "769.50"
    assert line.waterfall[2].label == "Campaign discount 10% (Spring servers)"
    after = price_line("SRV-1", "hardware", 1, book=BOOK, campaign=campaign,
                       on=ON + timedelta(days=1))
    other_sku = price_line("OPT-SSD", "hardware", 1, book=BOOK, campaign=campaign, on=ON)
    assert "campaign" not in steps(after) and "campaign" not in steps(other_sku)


def test_zero_percent_discounts_add_no_steps():
    deal = DealDiscount(3, D("0"), frozenset({"hardware"}))
    line = price_line("SRV-1", "hardware", 1, book=BOOK, deal=deal, quote_discount=D("0"),
                      tier_discounts={"hardware": D("0")}, on=ON)
    assert steps(line) == ["list", "net"]


@pytest.mark.parametrize("kwargs", [
    {"quote_discount": D("100.01")}, {"quote_discount": D("-1")},
    {"tier_discounts": {"hardware": D("101")}}, {"quote_discount": 5.0},
])
def test_percentages_outside_0_to_100_are_refused(kwargs):
    with pytest.raises(InvalidPricingData):
        price_line("SRV-1", "hardware", 1, book=BOOK, on=ON, **kwargs)


def test_a_code_without_any_price_is_an_error_naming_it():
    with pytest.raises(MissingPrice, match="OPT-GHOST has no price in price book 'EU list'") as exc:
        price_line("SRV-1", "hardware", 1, ["OPT-RAM-32", "OPT-GHOST"], book=BOOK, on=ON)
    assert exc.value.price_code == "OPT-GHOST"
    expired = {"OPT-GHOST": ContractPriceData("OPT-GHOST", D("1"), None, date(2026, 1, 1))}
    with pytest.raises(MissingPrice, match="OPT-GHOST"):
        price_line("SRV-1", "hardware", 1, ["OPT-GHOST"], book=BOOK, contract_prices=expired, on=ON)


def test_an_option_listed_twice_is_refused():
    with pytest.raises(PricingError, match="OPT-RAM-32 is listed more than once"):
        price_line("SRV-1", "hardware", 1, ["OPT-RAM-32", "OPT-RAM-32"], book=BOOK, on=ON)


# --- rounding and currencies -----------------------------------------------------------------

def test_half_a_cent_rounds_up():
    book = make_book(EntryData("A", D("10.01")))
    line = price_line("A", "hardware", 1, book=book, quote_discount=D("50"), on=ON)
    assert line.unit_net.as_str() == "5.01"  # 5.005 half-up; half-even would give 5.00


def test_the_unit_price_is_rounded_once_not_per_step():
    # exact: 10.01 x 0.5 x 0.5 = 2.5025 -> 2.50. Rounding after the first step would give
    # 5.01 x 0.5 = 2.505 -> 2.51.
    book = make_book(EntryData("A", D("10.01")))
    deal = DealDiscount(1, D("50"), frozenset({"hardware"}))
    line = price_line("A", "hardware", 1, book=book, tier_discounts={"hardware": D("50")},
                      deal=deal, on=ON)
    assert amounts(line) == {"list": "10.01", "tier_discount": "-5.00",
                             "deal_discount": "-2.51", "net": "2.50"}
    assert_adds_up(line)


def test_line_total_is_the_rounded_unit_times_quantity():
    book = make_book(EntryData("A", D("10.01")))
    line = price_line("A", "hardware", 3, book=book, quote_discount=D("50"), on=ON)
    assert line.line_total.as_str() == "15.03"  # 3 x 5.01, not round(3 x 5.005) = 15.02


def test_yen_has_no_minor_unit():
    book = make_book(EntryData("A", D("1005")), currency="JPY", name="JP list")
    line = price_line("A", "hardware", 2, book=book, tier_discounts={"hardware": D("10")}, on=ON)
    assert line.unit_net == Money(905, "JPY")  # 904.5 rounds half-up to 905
    assert line.as_dict()["unit_net"] == "905" and line.as_dict()["line_total"] == "1810"
    assert_adds_up(line)


@pytest.mark.parametrize("currency", ["BHD", "KWD"])
def test_three_decimal_currencies(currency):
    book = make_book(EntryData("A", D("0.125")), currency=currency)
    line = price_line("A", "hardware", 4, book=book, quote_discount=D("50"), on=ON)
    assert line.unit_net == Money(63, currency)  # 0.0625 -> 0.063 (half-up, 3 decimals)
    assert line.unit_net.as_str() == "0.063" and line.line_total.as_str() == "0.252"


def test_waterfall_adds_up_exactly_and_net_is_the_single_rounding_of_the_exact_price():
    """Random lines: list + adjustments == net, and net == round(exact price) computed here."""
    rng = random.Random(20260601)
    for currency, places in (("EUR", 2), ("JPY", 0), ("KWD", 3)):
        unit = D(1).scaleb(-places)
        for _ in range(300):
            base = [D(rng.randint(1, 10**6)).scaleb(-places - 1) for _ in range(3)]
            tier_price = [b * D(rng.randint(70, 100)) / 100 for b in base]
            entries = [EntryData(f"C{i}", base[i], ((5, tier_price[i]),)) for i in range(3)]
            pcts = [D(rng.randint(0, 400)) / 10 for _ in range(4)]
            qty = rng.choice([1, 4, 5, 7])
            use_contract = rng.random() < 0.5
            contracts = {"C2": ContractPriceData("C2", D(rng.randint(1, 99999)).scaleb(-places))}
            line = price_line(
                "C0", "hw", qty, ["C1", "C2"], book=make_book(*entries, currency=currency),
                tier_discounts={"hw": pcts[0]}, on=ON,
                contract_prices=contracts if use_contract else {},
                campaign=CampaignPriceRule(1, "C", pcts[1], frozenset({"C0"})),
                deal=DealDiscount(1, pcts[2], frozenset({"hw"})), quote_discount=pcts[3])
            prices = [tier_price[i] if qty >= 5 else base[i] for i in range(3)]
            discountable = sum(prices[:2]) + (0 if use_contract else prices[2])
            exact = discountable * (1 - pcts[0] / 100)
            exact += contracts["C2"].unit_price if use_contract else 0
            for pct in pcts[1:]:
                exact *= 1 - pct / 100
            assert line.unit_net.amount == exact.quantize(unit, rounding=ROUND_HALF_UP)
            assert_adds_up(line)


# --- documents and API shape -----------------------------------------------------------------

def test_document_total_is_the_sum_of_line_totals():
    a = price_line("SRV-1", "hardware", 10, book=BOOK, on=ON)  # 9000.00
    b = price_line("OPT-SSD", "hardware", 3, book=BOOK, on=ON)  # 150.00
    doc = price_document([a, b])
    assert doc.currency == "EUR" and doc.total.as_str() == "9150.00"
    body = doc.as_dict()
    assert body["total"] == "9150.00" and len(body["lines"]) == 2
    assert set(body["lines"][0]) == {"sku", "quantity", "options", "unit_list", "unit_net",
                                     "line_total", "waterfall"}
    assert body["lines"][0]["waterfall"][1] == {
        "step": "volume_tier", "label": "Volume price for SRV-1 (10+ units)", "amount": "-100.00"}


def test_document_lines_must_share_a_currency():
    eur = price_line("A", "hw", 1, book=make_book(EntryData("A", D("1"))), on=ON)
    usd = price_line("A", "hw", 1, book=make_book(EntryData("A", D("1")), currency="USD"), on=ON)
    with pytest.raises(PricingError, match="different currencies: EUR, USD"):
        price_document([eur, usd])


def test_empty_document_needs_a_currency():
    assert price_document([], "EUR").total == Money.zero("EUR")
    with pytest.raises(PricingError):
        price_document([])


# --- book diff -------------------------------------------------------------------------------

def test_diff_lists_added_removed_and_changed_with_percent_change():
    old = {e.code: e for e in (EntryData("A", D("100")), EntryData("B", D("40")),
                               EntryData("C", D("30")), EntryData("GONE", D("1")))}
    new = [EntryData("A", D("112.34")), EntryData("B", D("40.50")), EntryData("C", D("30.00")),
           EntryData("NEW", D("5"))]
    diff = diff_books(old, new)
    assert [e.code for e in diff.added] == ["NEW"]
    assert [e.code for e in diff.removed] == ["GONE"]
    assert [(c.code, c.old_unit, c.new_unit, c.percent_change) for c in diff.changed] == [
        ("A", D("100"), D("112.34"), D("12.3")),
        ("B", D("40"), D("40.50"), D("1.3")),  # 1.25 % rounds half-up to 1.3
    ]
    assert diff.unchanged == 1 and not diff.is_empty  # 30 == 30.00


def test_diff_reports_tier_changes_even_when_the_base_price_is_unchanged():
    old = [EntryData("A", D("10"), ((10, D("9")), (50, D("8"))))]
    new = [EntryData("A", D("10"), ((10, D("8.50")), (100, D("7"))))]
    (change,) = diff_books(old, new).changed
    assert change.percent_change == D("0.0")
    assert [(t.min_qty, t.old_unit, t.new_unit) for t in change.tier_changes] == [
        (10, D("9"), D("8.50")), (50, D("8"), None), (100, None, D("7"))]


def test_diff_from_a_zero_price_has_no_percentage_and_identical_books_are_empty():
    (change,) = diff_books([EntryData("A", D("0"))], [EntryData("A", D("3"))]).changed
    assert change.percent_change is None
    assert diff_books([SERVER, RAM], [RAM, SERVER]).is_empty
    cut = diff_books([EntryData("A", D("3"))], [EntryData("A", D("2"))]).changed[0]
    assert cut.percent_change == D("-33.3")
