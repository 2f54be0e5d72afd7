"""LIVE: rooms, product bag, pinned product, flash sales."""
