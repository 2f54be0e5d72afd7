"""The sandbox payment provider: a separate component that behaves like a real PSP.

It owns the ``psp_*`` tables, tokenizes cards (keeping only brand, last four digits, expiry
and the test card's behaviour), runs payments through an explicit state machine, shows a
challenge page, and calls its merchants back with signed webhooks. The platform reaches it
only over HTTP (``/psp-sandbox/v1``), never through these modules.
"""
