"""Carriers: the platform's side of logistics partners (shipments, verified tracking events)
and a carrier simulator standing for those partners in the demo and in tests."""
