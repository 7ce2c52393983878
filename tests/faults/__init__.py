"""The fault scenarios and hostile inputs of :mod:`faults`, run as tests."""
