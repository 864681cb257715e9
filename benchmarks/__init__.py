"""Benchmarks: scripts that report throughput and ratios against a reference."""
