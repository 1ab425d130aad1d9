"""`posestudio bench`: the served throughput and latency against the engine's own ceiling."""
