"""Shared leads: staff create, import and distribute leads; partners claim, follow up, release
or convert them; a follow-up clock returns neglected leads to the pool."""
