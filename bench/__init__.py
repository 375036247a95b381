"""Quartier's benchmarks: every scenario against a baseline measured in the same run (issue 11)."""
