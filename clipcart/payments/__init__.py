"""Payments: the provider interface, the sandbox provider, payment intents and webhooks.

``sandbox/`` is a separate component that behaves like a real payment service provider
(PSP), mounted at ``/psp-sandbox``; the platform talks to it only over HTTP through
``adapters.SandboxProvider``, exactly as it would talk to Stripe or Adyen.
"""
