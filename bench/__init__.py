"""Benchmarks run by hand (python bench/NAME.py); their functions also serve tests."""
