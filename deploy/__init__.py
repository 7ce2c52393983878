"""Deployment tooling: the environments' settings checked against the services' settings classes.

It sits beside the dev harness, above the services, because it must read every
service's settings class; nothing it holds runs inside a service.
"""
