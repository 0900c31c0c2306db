"""Deployment and operations files, and the benchmark harness."""
