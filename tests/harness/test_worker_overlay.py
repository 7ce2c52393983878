"""Each worker the harness starts gets a slot id (static membership) and a web port, unless told otherwise."""

from harness.stack import worker_overlay


def test_a_worker_gets_its_slot_and_a_port_of_its_own() -> None:
    overlay = worker_overlay({}, "PROCESSORS_", "processors-1")
    assert overlay["PROCESSORS_GROUP_INSTANCE_ID"] == "processors-1"
    assert int(overlay["PROCESSORS_METRICS_PORT"]) > 0


def test_the_callers_choice_stands_even_when_empty() -> None:
    env = {"SINK_GROUP_INSTANCE_ID": "", "SINK_METRICS_PORT": "0"}
    assert worker_overlay(env, "SINK_", "sink-0") == {}
