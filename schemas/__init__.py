"""Contracts shared by every service: events, topics, statuses and tables.

This package imports nothing else of ours, so that an outside producer or
consumer could vendor it alone and speak the same wire format.
"""
