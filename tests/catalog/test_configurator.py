"""Pure tests of the configurator: selection problems, availability, definition checks."""
from __future__ import annotations

import pytest

from catalog.configurator import (
    OptionData as O, OptionGroupData as G, ProductConfig, RuleData as R, check_definition,
    validate,
)

GROUPS = (
    G("cpu", "Processor", 1, 1, (O("CPU-8", "8 cores"), O("CPU-16", "16 cores"))),
    G("mem", "Memory", 1, 1, (O("RAM-32", "32 GB"), O("RAM-64", "64 GB"))),
    G("psu", "Power supply", 0, 1, (O("PSU-STD", "Standard PSU"), O("PSU-HI", "High-output PSU"))),
    G("fan", "Cooling", 0, 1, (O("FAN-STD", "Standard fan"), O("FAN-HI", "High-speed fan"))),
    G("extras", "Extras", 0, 2, (O("GPU", "GPU card"), O("RAID", "RAID controller"),
                                 O("WIFI", "Wi-Fi"))),
)
RULES = (
    R("requires", "CPU-16", "PSU-HI"),
    R("requires", "GPU", "PSU-HI"),
    R("requires", "PSU-HI", "FAN-HI"),  # so GPU needs FAN-HI through PSU-HI
    R("excludes", "RAID", "WIFI"),
    R("excludes", "WIFI", "FAN-HI"),
)
SERVER = ProductConfig(GROUPS, RULES)
BASE = ["CPU-8", "RAM-32"]

GPU = "GPU card (GPU)"
PSU_HI = "High-output PSU (PSU-HI)"
FAN_HI = "High-speed fan (FAN-HI)"
WIFI = "Wi-Fi (WIFI)"
RAID = "RAID controller (RAID)"


def test_a_complete_selection_is_valid():
    result = validate(SERVER, BASE + ["GPU", "PSU-HI", "FAN-HI", "RAID"])
    assert result.valid and result.problems == []


def test_group_minimum_and_maximum_in_words():
    assert validate(SERVER, ["CPU-8"]).problems == ["Choose at least 1 of Memory"]
    assert validate(SERVER, BASE + ["RAM-64"]).problems == ["Choose at most 1 of Memory"]
    too_many = validate(SERVER, BASE + ["GPU", "PSU-HI", "FAN-HI", "RAID", "WIFI"])
    assert "Choose at most 2 of Extras" in too_many.problems and not too_many.valid


def test_missing_requirement_names_both_options():
    result = validate(SERVER, BASE + ["GPU"])
    assert result.problems == [f"Option {GPU} requires {PSU_HI}"]
    assert not result.valid


def test_requirements_are_met_only_by_choosing_the_target():
    # GPU -> PSU-HI -> FAN-HI: each direct requirement is reported for the options chosen; the
    # indirect one surfaces once PSU-HI is chosen. Nothing is added automatically.
    assert validate(SERVER, BASE + ["GPU"]).problems == [f"Option {GPU} requires {PSU_HI}"]
    assert validate(SERVER, BASE + ["GPU", "PSU-HI"]).problems == [
        f"Option {PSU_HI} requires {FAN_HI}"]


def test_excluded_pair_is_reported_once():
    result = validate(SERVER, BASE + ["WIFI", "RAID"])
    assert result.problems == [f"{WIFI} and {RAID} cannot be chosen together"]


def test_unknown_and_duplicate_options():
    result = validate(SERVER, BASE + ["ZZZ", "RAM-32"])
    # the repeated RAM-32 is reported once and does not count twice against "at most 1"
    assert result.problems == ["Option 32 GB (RAM-32) is chosen more than once",
                               "Unknown option ZZZ"]
    assert "ZZZ" not in result.availability


def test_option_without_a_distinct_name_is_shown_by_code():
    config = ProductConfig((G("g", "Group", 0, 2, (O("A", "A"), O("B", ""))),),
                           (R("requires", "A", "B"),))
    assert validate(config, ["A"]).problems == ["Option A requires B"]


# --- availability ------------------------------------------------------------------------------

def test_with_nothing_chosen_everything_is_available():
    result = validate(SERVER, [])
    assert set(result.availability) == {o.code for g in GROUPS for o in g.options}
    assert all(a.available and a.reasons == [] for a in result.availability.values())


def test_chosen_options_are_marked_and_a_full_group_blocks_the_rest():
    avail = validate(SERVER, BASE).availability
    assert avail["RAM-32"].chosen and avail["RAM-32"].available
    assert not avail["RAM-64"].available
    assert avail["RAM-64"].reasons == ["at most 1 of Memory already chosen"]
    assert avail["GPU"].available and not avail["GPU"].chosen


def test_an_excluded_option_says_which_choice_excludes_it():
    avail = validate(SERVER, BASE + ["WIFI"]).availability
    assert avail["RAID"].reasons == [f"excludes {WIFI} (chosen)"]
    assert avail["FAN-HI"].reasons == [f"excludes {WIFI} (chosen)"]


def test_requirements_are_followed_transitively_for_availability():
    avail = validate(SERVER, BASE + ["WIFI"]).availability
    reason = f"requires {FAN_HI}, which is excluded by {WIFI}"
    assert avail["PSU-HI"].reasons == [reason]
    assert avail["GPU"].reasons == [reason]  # through PSU-HI
    assert avail["CPU-16"].reasons[-1] == reason
    assert avail["PSU-STD"].available and avail["FAN-STD"].available


def test_a_required_option_whose_group_is_full_blocks_the_option():
    avail = validate(SERVER, BASE + ["PSU-STD"]).availability
    assert avail["GPU"].reasons == [
        f"requires {PSU_HI}, but at most 1 of Power supply already chosen"]


def test_extras_full_at_two():
    avail = validate(SERVER, BASE + ["GPU", "RAID", "PSU-HI", "FAN-HI"]).availability
    assert avail["WIFI"].reasons == [f"excludes {RAID} (chosen)", f"excludes {FAN_HI} (chosen)",
                                     "at most 2 of Extras already chosen"]


def test_option_needing_more_of_a_group_than_it_allows():
    config = ProductConfig((G("g", "Bundle", 0, 2, (O("A", "A"), O("B", "B"), O("C", "C"))),),
                           (R("requires", "A", "B"),))
    avail = validate(config, ["C"]).availability
    assert avail["A"].reasons == ["needs 2 more of Bundle, but only 1 more can be chosen"]
    assert avail["B"].available


def test_requirements_that_exclude_each_other_block_the_option():
    config = ProductConfig((G("g", "All", 0, 3, (O("A", "A"), O("B", "B"), O("C", "C"))),),
                           (R("requires", "A", "B"), R("requires", "A", "C"),
                            R("excludes", "B", "C")))
    assert validate(config, []).availability["A"].reasons == [
        "requires B and C, which cannot be chosen together"]


# --- product definition checks -----------------------------------------------------------------

def test_a_sound_definition_has_no_problems():
    assert check_definition(GROUPS, RULES) == []


def test_codes_must_be_unique():
    groups = (G("g", "One", 0, 1, (O("A", "A"), O("B", "B"))),
              G("g", "Two", 0, 1, (O("A", "Again"),)))
    assert check_definition(groups, []) == ["Group code g is used more than once",
                                            "Option code A is used more than once"]


@pytest.mark.parametrize("group, problem", [
    (G("m", "Memory", 2, 1, (O("A", "A"), O("B", "B"))),
     "Group Memory: the minimum (2) is above the maximum (1)"),
    (G("m", "Memory", -1, 1, (O("A", "A"),)), "Group Memory: the minimum must be 0 or more"),
    (G("m", "Memory", 0, 0, (O("A", "A"),)), "Group Memory: the maximum must be at least 1"),
    (G("m", "Memory", 3, 3, (O("A", "A"), O("B", "B"))),
     "Group Memory: the minimum (3) is more than its 2 options"),
    (G("m", "Memory", 0, 1, ()), "Group Memory has no options"),
])
def test_group_limits(group, problem):
    assert problem in check_definition((group,), [])


@pytest.mark.parametrize("rule, problem", [
    (R("needs", "GPU", "RAID"), "Rule 1: type must be requires or excludes, not 'needs'"),
    (R("requires", "GPU", "NOPE"), "Rule 1: unknown option NOPE"),
    (R("excludes", "NOPE", "GPU"), "Rule 1: unknown option NOPE"),
    (R("requires", "GPU", "GPU"), f"Rule 1: option {GPU} cannot require itself"),
    (R("excludes", "GPU", "GPU"), f"Rule 1: option {GPU} cannot exclude itself"),
])
def test_bad_rules(rule, problem):
    assert check_definition(GROUPS, [rule]) == [problem]


@pytest.mark.parametrize("exclusion", [R("excludes", "GPU", "RAID"), R("excludes", "RAID", "GPU")])
def test_requires_and_excludes_the_same_option_is_a_contradiction(exclusion):
    problems = check_definition(GROUPS, [R("requires", "GPU", "RAID"), exclusion])
    assert problems == [f"Option {GPU} both requires and excludes {RAID}"]


def test_repeated_rules_are_reported_and_excludes_is_symmetric():
    problems = check_definition(GROUPS, [R("excludes", "GPU", "RAID"), R("excludes", "RAID", "GPU"),
                                         R("requires", "GPU", "PSU-HI"),
                                         R("requires", "GPU", "PSU-HI")])
    assert problems == [f"Rule 2 repeats an earlier rule ({RAID} excludes {GPU})",
                        f"Rule 4 repeats an earlier rule ({GPU} requires {PSU_HI})"]


def test_options_that_can_never_be_chosen_through_their_requirements():
    groups = (G("g", "All", 0, 4, (O("A", "A"), O("B", "B"), O("C", "C"), O("D", "D"))),
              G("one", "Single", 0, 1, (O("X", "X"), O("Y", "Y"))))
    indirect = check_definition(groups, [R("requires", "A", "B"), R("requires", "B", "C"),
                                         R("excludes", "C", "A")])
    assert indirect == [
        "Option A can never be chosen: it requires C (indirectly), which excludes it"]
    pair = check_definition(groups, [R("requires", "D", "B"), R("requires", "D", "C"),
                                     R("excludes", "B", "C")])
    assert pair == ["Option D can never be chosen: it requires B and C, which exclude each other"]
    crowded = check_definition(groups, [R("requires", "X", "Y")])
    assert crowded == ["Option X can never be chosen: it needs 2 of Single, which allows at most 1"]


def test_requires_cycles_are_allowed():
    groups = (G("g", "All", 0, 2, (O("A", "A"), O("B", "B"))),)
    rules = [R("requires", "A", "B"), R("requires", "B", "A")]
    assert check_definition(groups, rules) == []
    assert validate(ProductConfig(groups, tuple(rules)), ["A", "B"]).valid
