"""The one dev harness: brokers, private topics and databases, and the services as processes.

``make run``, the benchmarks (``bench``), the end-to-end tests and the fault
scenarios (``faults``) all start the real services the same way, through this
package, so a change to how a service is configured or stopped is made once.
It sits above the services and below everything that drives them: it may
import ``ingest``, ``processors``, ``sink`` and the platform, never ``tests``,
``bench`` or ``faults``.
"""
