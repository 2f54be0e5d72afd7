"""Discovery: product search (and, later, feed ranking)."""
