"""Load scenarios: Locust users against a running service, judged by per-scenario thresholds.

Locust (and the gevent it monkey-patches in) runs only in its own subprocess;
this package's runner reads what it wrote (CSV stats) and decides pass or fail.
"""
