"""Orders, lines, cancellations and the order state machine."""
