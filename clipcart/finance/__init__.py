"""Finance: settlement of delivered orders, refunds and claw-backs, payouts, statements."""
