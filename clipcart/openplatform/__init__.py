"""Open platform: third-party apps, seller authorization, and the Seller API compatible with
the TikTok Shop Partner API (signed requests, versioned paths, the {code, message, data}
envelope, webhooks)."""
