"""The auth layer: one module per caller type (carrier, SDK, Apps API, portal)."""
