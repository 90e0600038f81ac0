"""Quotes: a partner's priced offer with an extra-discount approval, revisions, PDF and expiry."""
