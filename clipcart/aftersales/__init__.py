"""After-sales: cancellations, returns and refunds (TikTok Shop return_refund statuses)."""
