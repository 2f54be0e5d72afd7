"""Users, roles, sessions, API tokens, and each user's private data."""
