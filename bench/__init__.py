"""Benchmarks against the emulator suite; each script prints its figures."""
