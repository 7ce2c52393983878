"""The wire contracts: versioned events, codec, statuses, error codes, topic names, routing.

This package imports nothing of ours and nothing but pydantic, so an outside
producer or consumer can vendor it alone and speak the same wire format.
"""
