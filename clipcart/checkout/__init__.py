"""Cart, checkout, pricing, tax and shipping options."""
