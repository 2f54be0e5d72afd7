"""Double-entry ledger: accounts, operations, transfers, statements."""
