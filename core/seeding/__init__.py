"""Rows for a site to show: the demo newsroom (``seed_demo``) and a newsroom
at scale for the benchmark (``seed_bench``)."""
