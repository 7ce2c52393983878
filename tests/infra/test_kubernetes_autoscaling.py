"""Autoscaling: the processors on consumer lag through prometheus-adapter, the ingest on CPU.

A schema accepts any maxReplicas and any metric name; these tests hold them to
the deployment: the processors never outnumber the tasks topic's partitions
(a consumer beyond them idles), the HPA asks for a metric the adapter's rules
serve, that rule reads a metric the workers really export, and its query, run
by the real ``promtool`` over synthetic series, sums one namespace's processors
lag on the tasks topic and nothing else.
"""

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry

from runtime.faust.metrics import KitMetrics
from runtime.settings import ServiceSettings
from tests.infra.k8s_objects import K8S, OVERLAYS, Obj, config, one, overlay, render, rendered_text, validate
from tests.ops.tools import tool

ADAPTER = K8S / "prometheus-adapter"
OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
NAMESPACE = "sqllint-production"


def adapter_rules() -> list[dict[str, Any]]:
    """The external rules of the adapter's config, as the rendered ConfigMap carries them."""
    (config_map,) = render(ADAPTER)
    rules: list[dict[str, Any]] = yaml.safe_load(config_map["data"]["config.yaml"])["externalRules"]
    return rules


def _served_name(rule: dict[str, Any]) -> str:
    return str(rule["name"].get("as") or _series_metric(rule))


def _series_metric(rule: dict[str, Any]) -> str:
    match = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", rule["seriesQuery"])
    assert match, f"seriesQuery {rule['seriesQuery']!r} names no metric"
    return match[0]


def _external_metric(hpa: Obj) -> Obj:
    (metric,) = hpa["spec"]["metrics"]
    assert metric["type"] == "External", "the processors scale on lag, an External metric"
    return dict(metric["external"])


@pytest.mark.parametrize("env", OVERLAYS)
def test_processors_never_outnumber_the_tasks_partitions(env: str) -> None:
    objects = overlay(env)
    default = ServiceSettings.model_fields["topic_partitions"].default
    partitions = int(config(objects).get("TOPIC_PARTITIONS", default))
    hpa = one(objects, "HorizontalPodAutoscaler", "processors")
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "processors")
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"] <= partitions, (
        f"{env}: maxReplicas {hpa['spec']['maxReplicas']} > TOPIC_PARTITIONS {partitions}"
    )
    # The HPA owns the count: a replicas field would reset it at every apply.
    assert "replicas" not in one(objects, "Deployment", "processors")["spec"]


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_processors_hpa_asks_for_a_metric_the_adapter_serves(env: str) -> None:
    metric = _external_metric(one(overlay(env), "HorizontalPodAutoscaler", "processors"))
    assert metric["metric"]["name"] in {_served_name(rule) for rule in adapter_rules()}
    assert metric["target"]["type"] == "AverageValue" and int(metric["target"]["averageValue"]) > 0


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_ingest_scales_on_cpu_it_requests(env: str) -> None:
    objects = overlay(env)
    hpa = one(objects, "HorizontalPodAutoscaler", "ingest")
    (metric,) = hpa["spec"]["metrics"]
    assert (metric["type"], metric["resource"]["name"]) == ("Resource", "cpu")
    assert metric["resource"]["target"]["type"] == "Utilization"
    assert "replicas" not in one(objects, "Deployment", "ingest")["spec"]
    (container,) = one(objects, "Deployment", "ingest")["spec"]["template"]["spec"]["containers"]
    assert "cpu" in container["resources"]["requests"], "utilisation is measured against the request"


def _cpus(quantity: str) -> float:
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


@pytest.mark.parametrize("env", OVERLAYS)
def test_each_lint_process_may_have_a_cpu(env: str) -> None:
    objects = overlay(env)
    workers = int(config(objects)["PROCESSORS_LINT_WORKERS"])
    (container,) = one(objects, "Deployment", "processors")["spec"]["template"]["spec"]["containers"]
    assert _cpus(container["resources"]["limits"]["cpu"]) >= workers


def test_the_adapter_config_renders_and_validates() -> None:
    code, output = validate(rendered_text(ADAPTER))
    assert code == 0, output
    assert all(rule["resources"]["overrides"]["namespace"] == {"resource": "namespace"}
               for rule in adapter_rules()), "each environment must scale on its own namespace's lag"


def test_the_adapter_reads_a_metric_the_workers_export_and_the_docs_name() -> None:
    exported = {family.name for family in KitMetrics(CollectorRegistry()).consumer_lag.collect()}
    for rule in adapter_rules():
        metric = _series_metric(rule)
        assert metric in exported, f"{metric} is not a metric of runtime/faust/metrics.py"
        assert f"`{metric}`" in OPERATIONS.read_text(encoding="utf-8")


def _query(rule: dict[str, Any]) -> str:
    """The rule's metricsQuery as the adapter sends it for an HPA in NAMESPACE."""
    query = str(rule["metricsQuery"]).replace("<<.Series>>", _series_metric(rule))
    query = query.replace("<<.LabelMatchers>>", f'namespace="{NAMESPACE}"')
    return query.replace("<<.GroupBy>>", "namespace")


def _series(namespace: str, component: str, topic: str, partition: int, lag: int) -> dict[str, str]:
    labels = (f'namespace="{namespace}",app_kubernetes_io_component="{component}",'
              f'topic="{topic}",partition="{partition}"')
    return {"series": f"sql_linting_consumer_lag{{{labels}}}", "values": f"{lag}x5"}


def test_the_adapter_query_sums_one_namespaces_processors_lag_on_tasks(tmp_path: Path) -> None:
    promtool = Path(tool("prometheus.sh")).with_name("promtool")
    if not promtool.exists():
        pytest.fail(f"{promtool} is missing: Debian's prometheus package ships it (see prometheus.sh)")
    series = [
        _series(NAMESPACE, "processors", "sqllint.tasks.v1", 0, 5),
        _series(NAMESPACE, "processors", "sqllint.tasks.v1", 1, 7),
        _series(NAMESPACE, "processors", "sqllint.jobs.v1", 0, 100),  # expansion, not linting
        _series(NAMESPACE, "sink", "sqllint.tasks.v1", 0, 1000),  # the sink's own group
        _series("sqllint-staging", "processors", "sqllint.tasks.v1", 0, 10000),  # another environment
    ]
    tests = [{"interval": "1m", "input_series": series, "promql_expr_test": [
        {"expr": _query(rule), "eval_time": "2m",
         "exp_samples": [{"labels": f'{{namespace="{NAMESPACE}"}}', "value": 12}]}
        for rule in adapter_rules()]}]
    spec = tmp_path / "adapter_test.yml"
    spec.write_text(yaml.safe_dump({"rule_files": [], "evaluation_interval": "1m", "tests": tests}))
    done = subprocess.run([promtool, "test", "rules", spec], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr

