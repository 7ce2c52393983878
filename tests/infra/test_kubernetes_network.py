"""The NetworkPolicies, read as the cluster would apply them to the rendered pods.

Kubernetes denies a pod's traffic only once some policy selects it, so the
checks start from a default deny, then list for each pod template every peer
outside the namespace its policies admit: only the ingest may have any beyond
Prometheus, and the workers admit Prometheus on their metrics port alone.
Egress must still reach what the ConfigMap points at (Kafka, the collector).
"""

from urllib.parse import urlparse

import pytest

from tests.infra.k8s_objects import OVERLAYS, Obj, config, find, overlay, pod_templates, selects

MONITORING = {"kubernetes.io/metadata.name": "monitoring"}
INGRESS_CONTROLLER = {"kubernetes.io/metadata.name": "ingress-nginx"}
METRICS_PORTS = {"processors": ("PROCESSORS_METRICS_PORT", 9101), "sink": ("SINK_METRICS_PORT", 9102)}
DNS, DATABASE = 53, 3306


def _applies(policy: Obj, direction: str) -> bool:
    types = policy["spec"].get("policyTypes") or ["Ingress"]
    return direction in types


def _outside_peers(policy: Obj) -> list[tuple[Obj, list[Obj]]]:
    """(peer, ports) for every ingress peer outside the namespace; a rule without ``from`` admits all."""
    found = []
    for rule in policy["spec"].get("ingress", []):
        ports = rule.get("ports", [])
        for peer in rule.get("from") or [{"ipBlock": {"cidr": "0.0.0.0/0"}}]:
            if "namespaceSelector" in peer or "ipBlock" in peer:
                found.append((peer, ports))
    return found


def _peers_by_pod(objects: list[Obj]) -> dict[str, list[tuple[Obj, list[Obj]]]]:
    policies = [p for p in find(objects, "NetworkPolicy") if _applies(p, "Ingress")]
    return {
        name: [peer for p in policies if selects(p["spec"]["podSelector"], template["metadata"]["labels"])
               for peer in _outside_peers(p)]
        for name, template in pod_templates(objects)
    }


@pytest.mark.parametrize("env", OVERLAYS)
def test_everything_is_denied_unless_a_policy_allows_it(env: str) -> None:
    denies = [p["spec"] for p in find(overlay(env), "NetworkPolicy")]
    denies = [s for s in denies if s["podSelector"] == {} and not s.get("ingress") and not s.get("egress")]
    assert denies, "no default-deny policy"
    assert {"Ingress", "Egress"} <= {t for spec in denies for t in spec["policyTypes"]}


@pytest.mark.parametrize("env", OVERLAYS)
def test_only_the_ingest_is_reachable_from_outside_the_namespace(env: str) -> None:
    objects = overlay(env)
    data = config(objects)
    peers = _peers_by_pod(objects)
    assert any(peer.get("namespaceSelector", {}).get("matchLabels") == INGRESS_CONTROLLER
               for peer, _ in peers["ingest"]), "the ingress controller cannot reach the ingest"
    assert not peers["migrate"], "the migration Job serves nothing"
    for name, (setting, default) in METRICS_PORTS.items():
        port = int(data.get(setting, default))
        assert peers[name], f"Prometheus cannot scrape {name}"
        for peer, ports in peers[name]:
            assert peer == {"namespaceSelector": {"matchLabels": MONITORING}}, f"{name} admits {peer}"
            assert [p["port"] for p in ports] == [port], f"{name} admits ports {ports}, not {port} alone"


def _egress_ports(objects: list[Obj], labels: dict[str, str]) -> set[int]:
    """TCP/UDP ports ``labels``' pod may open to anywhere (rules without ``to``) or, for DNS, to a peer."""
    policies = [p for p in find(objects, "NetworkPolicy")
                if _applies(p, "Egress") and selects(p["spec"]["podSelector"], labels)]
    return {port["port"] for p in policies for rule in p["spec"].get("egress", []) for port in rule["ports"]}


@pytest.mark.parametrize("env", OVERLAYS)
def test_every_pod_may_reach_kafka_the_database_dns_and_the_collector(env: str) -> None:
    objects = overlay(env)
    data = config(objects)
    wanted = {DNS, DATABASE}
    wanted |= {int(server.rsplit(":", 1)[1]) for server in data["KAFKA_BOOTSTRAP_SERVERS"].split(",")}
    if "OTEL_EXPORTER_OTLP_ENDPOINT" in data:
        wanted.add(urlparse(data["OTEL_EXPORTER_OTLP_ENDPOINT"]).port or 4318)
    for name, template in pod_templates(objects):
        missing = wanted - _egress_ports(objects, template["metadata"]["labels"])
        assert not missing, f"{name} cannot open ports {sorted(missing)}"
