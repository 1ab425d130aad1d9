"""A simulated Go2 or G1 that speaks the real LAN protocol (docs/robots.md, "The simulator")."""
