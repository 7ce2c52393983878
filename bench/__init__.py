"""Benchmark harness: runs the real services against a private stack and prints figures.

Measurement only: nothing here asserts on time. Every comparison is made in the
same run, on the same files and options, and reported as a ratio.
"""
