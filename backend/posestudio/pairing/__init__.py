"""Phone pairing: short-lived single-use codes that become stream-only tokens, and the
TLS certificate a phone needs to open its camera on the LAN (docs/security.md)."""
