"""The registry index: normalised keys of every active registration and house account.

A conflict check reads a few postings by key (indexed), never the whole registry:
`registry_keys` maps a key (a name word in a country, the compact name, the acronym, the web
domain, the VAT id) to entries; `registry_counts` holds posting sizes, word frequencies and the
entry count; `registry_typos` maps one-deletion variants to words, to find words one typo away.
"""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class RegistryEntry(db.Model):
    """One active registration or house account, with its normalised name and evidence."""

    __tablename__ = "registry_entries"
    __table_args__ = (
        CheckConstraint("(registration_id IS NULL) <> (house_account_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True)
    house_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("house_accounts.id", ondelete="CASCADE"), unique=True)
    tokens: Mapped[str] = mapped_column(String(600))  # base-name words, space separated
    compact: Mapped[str] = mapped_column(String(450))
    acronym: Mapped[str] = mapped_column(String(60))
    place_tail: Mapped[int] = mapped_column(SmallInteger, default=0)
    country: Mapped[str] = mapped_column(String(2))
    host: Mapped[str | None] = mapped_column(String(254))
    domain: Mapped[str | None] = mapped_column(String(254))  # registrable part of host
    vat: Mapped[str | None] = mapped_column(String(40))


class RegistryKey(db.Model):
    """A posting: entry `entry_id` has key `key`.

    Derived data, written in bulk: no foreign key (it would cost a look-up per row); the service
    deletes an entry's keys, found from the entry's own columns, before the entry.
    """

    __tablename__ = "registry_keys"

    key: Mapped[str] = mapped_column(String(460), primary_key=True)
    entry_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class RegistryCount(db.Model):
    """A counter: "#" entries, "w<TAB>word" entries with the word, "t<CC><TAB>word" posting size."""

    __tablename__ = "registry_counts"

    key: Mapped[str] = mapped_column(String(460), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class RegistryTypo(db.Model):
    """`word` (or one of its one-letter deletions) is `variant`: words one typo away share a variant."""

    __tablename__ = "registry_typos"

    variant: Mapped[str] = mapped_column(String(60), primary_key=True)
    word: Mapped[str] = mapped_column(String(60), primary_key=True)
