"""Benchmarks: ``make bench`` (``python -m tests.bench [NAME...]``) runs them all.

Every benchmark measures a baseline in the same run and reports ratios and
medians, since the machines here are shared and noisy.  None of these numbers
is asserted in the test suite.
"""
