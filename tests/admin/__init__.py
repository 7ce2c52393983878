"""Tests of sqllint-admin, run as the installed console script."""
