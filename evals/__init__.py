"""Benchmarks and evaluation helpers for ipskb (not part of the installed package)."""
