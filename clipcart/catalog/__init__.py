"""Categories, products, SKUs, media and audit."""
