"""clipcart: a self-hostable social-commerce platform."""

__version__ = "0.1.0"
