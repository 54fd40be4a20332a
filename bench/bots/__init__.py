"""The baselines the load benchmark compares Kawal with (each runs as its own process)."""
