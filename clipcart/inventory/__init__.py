"""Warehouses, stock levels, reservations and movements."""
