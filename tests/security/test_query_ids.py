"""Ids typed into staff filters and forms: a number no row can have finds nothing, never a 500
(SQLite and PostgreSQL both refuse integers beyond 64 / 32 bits)."""
from __future__ import annotations

import pytest

HUGE = "99999999999999999999"


@pytest.mark.parametrize("url", [
    f"/admin/audit?partner={HUGE}", f"/admin/audit?object_id={HUGE}",
    f"/admin/registrations?partner={HUGE}", f"/admin/users?partner={HUGE}",
    f"/admin/users/new?partner={HUGE}", f"/admin/approvals?partner={HUGE}",
    f"/admin/leads?partner={HUGE}",
])
def test_staff_filters_with_an_impossible_id_answer_normally(client, login, two_partners, url):
    login(two_partners.admin)
    response = client.get(url)
    assert response.status_code == 200, url


def test_an_impossible_id_is_no_id():
    from portal.converters import ID_MAX, parse_id

    assert parse_id("42") == 42 and parse_id(str(ID_MAX)) == ID_MAX
    assert parse_id(str(ID_MAX + 1)) is None and parse_id(HUGE) is None
    assert parse_id("0") is None and parse_id("٣") is None and parse_id("") is None
