"""
The benchmark harness behind ``make bench`` (issue 6).

``python -m bench`` seeds a large newsroom in a database of its own, starts
gunicorn on loopback, drives it with wrk and reports each page against a
static file served by the same stack (the physical limit) and a minimal
Django view (the framework floor). See bench/RESULTS.md for the figures and
docs/benchmark.md for how to run it.
"""
