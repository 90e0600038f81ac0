"""Core services: partners, users, tokens, authentication, audit, mail."""
