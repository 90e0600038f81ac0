"""The staff back office."""
