"""Seller onboarding, shops, staff and market gating."""
