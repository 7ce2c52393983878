"""The Kubernetes manifests: every overlay renders and validates, and holds what a schema cannot check.

Rendering is the real ``kubectl kustomize`` and validation the real
``kubernetes-validate --strict`` (tests/infra/k8s_objects.py). The checks after
them read the rendered objects against the service itself: the settings classes
name every ConfigMap entry, the ports and paths the containers declare and mount
are the ones the ConfigMap configures, the ingress admits the bodies the ingest
accepts, and the processors have time to drain. The network policies and the
autoscalers have their own modules beside this one.
"""

import re
from urllib.parse import urlparse

import pytest
import yaml

from ingest.settings import IngestSettings
from processors.settings import ProcessorSettings
from runtime.settings import ServiceSettings, setting_names
from sink.settings import SinkSettings
from tests.infra.k8s_objects import (
    K8S,
    KUBERNETES_VERSIONS,
    OVERLAYS,
    WORKLOADS,
    Obj,
    config,
    dump,
    find,
    one,
    overlay,
    pod_templates,
    rendered_text,
    validate,
)

SETTINGS: tuple[type[ServiceSettings], ...] = (IngestSettings, ProcessorSettings, SinkSettings)
SECRETS = frozenset({"DATABASE_URL", "OPERATOR_TOKEN", "WEBHOOK_SIGNING_KEY", "KAFKA_SASL_PASSWORD"})
# Each pod's own Secret and what it holds: no pod holds another's credentials (secret.example.yaml).
POD_SECRETS = {
    "ingest": ("sqllint-ingest-secrets",
               {"DATABASE_URL", "KAFKA_SASL_PASSWORD", "OPERATOR_TOKEN", "WEBHOOK_SIGNING_KEY"}),
    "processors": ("sqllint-processors-secrets", {"KAFKA_SASL_PASSWORD"}),
    "sink": ("sqllint-sink-secrets", {"DATABASE_URL", "KAFKA_SASL_PASSWORD", "WEBHOOK_SIGNING_KEY"}),
    "migrate": ("sqllint-migration-secrets", {"DATABASE_URL"}),
}
# Each workload's port setting and its default; the metrics ports are the containers' (docs).
PORTS = {"ingest": ("INGEST_PORT", 8080), "processors": ("PROCESSORS_METRICS_PORT", 9101),
         "sink": ("SINK_METRICS_PORT", 9102)}
UNITS = {"k": 1024, "m": 1024**2, "g": 1024**3}


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("env", OVERLAYS)
def test_every_overlay_renders_and_validates_strictly(env: str, version: str) -> None:
    objects = overlay(env)
    kinds = {o["kind"] for o in objects}
    assert {"Namespace", "ConfigMap", "Deployment", "Service", "Ingress", "NetworkPolicy",
            "PodDisruptionBudget", "HorizontalPodAutoscaler", "Job", "PersistentVolumeClaim"} <= kinds
    assert {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"} == {f"sqllint-{env}"}
    assert not find(objects, "Secret"), "a render must never carry a Secret"
    code, output = validate(rendered_text(K8S / "overlays" / env), version)
    assert code == 0, output


def test_the_validator_rejects_what_the_schemas_do_not_allow() -> None:
    objects = overlay("staging")
    container = one(objects, "Deployment", "ingest")["spec"]["template"]["spec"]["containers"][0]
    container["livenessProbe"]["timeoutSecond"] = 3
    code, output = validate(dump(objects))
    assert code != 0 and "timeoutSecond" in output, output


def test_the_secret_template_validates_and_holds_only_placeholders() -> None:
    text = (K8S / "secret.example.yaml").read_text(encoding="utf-8")
    code, output = validate(text)
    assert code == 0, output
    secrets = list(yaml.safe_load_all(text))
    assert {s["metadata"]["name"]: set(s["stringData"]) for s in secrets} == dict(POD_SECRETS.values())
    for secret in secrets:
        assert secret["kind"] == "Secret"
        assert "data" not in secret, "base64 data could hide a real value: stringData placeholders only"
        for name, value in secret["stringData"].items():
            assert re.fullmatch(r"<placeholder: [^<>]+>", value), f"{name} holds a value, not a placeholder"
    users = {s["metadata"]["name"]: s["stringData"].get("DATABASE_URL", "") for s in secrets}
    assert "sqllint_ingest:" in users["sqllint-ingest-secrets"]
    assert "sqllint_sink:" in users["sqllint-sink-secrets"]
    assert "sqllint_owner:" in users["sqllint-migration-secrets"]


@pytest.mark.parametrize("env", OVERLAYS)
def test_each_pod_reads_its_own_secret_and_logs_in_to_kafka_as_itself(env: str) -> None:
    objects = overlay(env)
    usernames = set()
    for name, template in pod_templates(objects):
        (container,) = template["spec"]["containers"]
        assert container["envFrom"] == [{"configMapRef": {"name": config_name(objects)}},
                                        {"secretRef": {"name": POD_SECRETS[name][0]}}], name
        env_values = {e["name"]: e.get("value") for e in container.get("env", [])}
        assert not SECRETS & set(env_values), f"{name}: a secret's name among its plain values"
        if name in WORKLOADS:
            assert env_values["KAFKA_SASL_USERNAME"] == f"sqllint-{name}"
            usernames.add(env_values["KAFKA_SASL_USERNAME"])
            # The brokers' CA, when a private one signed them: an optional ConfigMap, read-only.
            ca = _mounts(template["spec"], container)["/etc/sqllint/kafka-ca"]
            assert ca["configMap"] == {"name": "sqllint-kafka-ca", "optional": True}, name
            assert {"name": "kafka-ca", "mountPath": "/etc/sqllint/kafka-ca", "readOnly": True} in (
                container["volumeMounts"]), name
    assert len(usernames) == len(WORKLOADS), "every service is its own Kafka principal"


@pytest.mark.parametrize("env", OVERLAYS)
def test_every_configmap_entry_is_a_setting_and_loads(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = config(overlay(env))
    known = {name for cls in SETTINGS for name in setting_names(cls)}
    assert not SECRETS & set(data), "secrets belong in the services' Secrets, not the ConfigMap"
    # OTEL_*: the OpenTelemetry SDK's own variables (docs/operations.md, tracing), not ours.
    unknown = [k for k in data if not k.startswith("OTEL_") and k.split("__", 1)[0] not in known]
    assert not unknown, f"not a setting of any service: {unknown}"
    # What the pods add: the Secret's URL and password, the Deployment's own principal.
    pod = {"DATABASE_URL": "mysql+pymysql://u:p@db:3306/sqllint", "KAFKA_SASL_PASSWORD": "p",
           "KAFKA_SASL_USERNAME": "sqllint-ingest"}
    for name, value in {**data, **pod}.items():
        monkeypatch.setenv(name, value)
    for cls in SETTINGS:
        cls()  # wrong types or values raise here, as they would stop the service at start


def config_name(objects: list[Obj]) -> str:
    """The generated ConfigMap's hashed name, which every envFrom must carry."""
    return next(o["metadata"]["name"] for o in find(objects, "ConfigMap")
                if o["metadata"]["name"].startswith("sqllint-config"))


def _declared_ports(container: Obj) -> set[int | str]:
    ports = container.get("ports", [])
    return {p["containerPort"] for p in ports} | {p["name"] for p in ports if "name" in p}


def _check_probes(name: str, container: Obj) -> None:
    assert "livenessProbe" in container and "readinessProbe" in container, f"{name}: probes missing"
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        if kind in container:
            port = container[kind]["httpGet"]["port"]
            assert port in _declared_ports(container), f"{name}: {kind} port {port} is not declared"


def _check_hardening(name: str, pod: Obj, container: Obj) -> None:
    pod_ctx, ctx = pod.get("securityContext", {}), container.get("securityContext", {})
    assert ctx.get("runAsNonRoot", pod_ctx.get("runAsNonRoot")) is True, name
    assert ctx.get("runAsUser", pod_ctx.get("runAsUser")) == 10001, name
    assert ctx.get("readOnlyRootFilesystem") is True, name
    assert ctx.get("allowPrivilegeEscalation") is False, name
    assert ctx.get("capabilities", {}).get("drop") == ["ALL"], name
    assert pod_ctx.get("seccompProfile", {}).get("type") == "RuntimeDefault", name
    resources = container.get("resources", {})
    for bound in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(resources.get(bound, {})), f"{name}: {bound} incomplete"


def _mounts(pod: Obj, container: Obj) -> dict[str, Obj]:
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    return {m["mountPath"]: volumes[m["name"]] for m in container.get("volumeMounts", [])}


def _writable_dirs(name: str, data: dict[str, str]) -> dict[str, str]:
    """Mount path → the volume kind that must back it, for the read-only root to work."""
    wanted = {"/tmp": "emptyDir"}
    if name in WORKLOADS:
        wanted[data.get("NFS_SHARE_ROOT_PATH", "var/storage")] = "persistentVolumeClaim"
    if name in {"processors", "sink"}:
        wanted[data.get(f"{name.upper()}_FAUST_DATADIR", "var/faust")] = "emptyDir"
    return wanted


@pytest.mark.parametrize("env", OVERLAYS)
def test_every_container_is_bounded_probed_hardened_and_has_its_writable_dirs(env: str) -> None:
    objects = overlay(env)
    data = config(objects)
    templates = dict(pod_templates(objects))
    assert set(templates) == {*WORKLOADS, "migrate"}
    for name, template in templates.items():
        pod = template["spec"]
        (container,) = pod["containers"]
        _check_hardening(name, pod, container)
        if name in WORKLOADS:
            _check_probes(name, container)
        mounts = _mounts(pod, container)
        for path, kind in _writable_dirs(name, data).items():
            assert path.startswith("/"), f"{name}: {path} must be absolute in a container"
            assert kind in mounts.get(path, {}), f"{name}: {path} is not mounted from a {kind}"


@pytest.mark.parametrize("env", OVERLAYS)
def test_ports_and_scrape_annotations_are_the_configured_ones(env: str) -> None:
    objects = overlay(env)
    data = config(objects)
    for name, (setting, default) in PORTS.items():
        port = int(data.get(setting, default))
        template = one(objects, "Deployment", name)["spec"]["template"]
        (container,) = template["spec"]["containers"]
        assert port in _declared_ports(container), f"{name}: {setting}={port} is not a declared port"
        annotations = template["metadata"]["annotations"]
        assert (annotations["prometheus.io/scrape"], annotations["prometheus.io/port"]) == ("true", str(port))



@pytest.mark.parametrize("env", OVERLAYS)
def test_the_storage_root_is_one_read_write_many_claim(env: str) -> None:
    objects = overlay(env)
    (claim,) = find(objects, "PersistentVolumeClaim")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    claims = {v["persistentVolumeClaim"]["claimName"] for _, t in pod_templates(objects)
              for v in t["spec"].get("volumes", []) if "persistentVolumeClaim" in v}
    assert claims == {claim["metadata"]["name"]}


def _body_bytes(size: str) -> int:
    match = re.fullmatch(r"(\d+)([kmg]?)", size.lower())
    assert match, f"unreadable body size {size!r}"
    return int(match[1]) * UNITS.get(match[2], 1)


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_ingress_admits_what_the_ingest_accepts_on_its_public_host(env: str) -> None:
    objects = overlay(env)
    data = config(objects)
    (ingress,) = find(objects, "Ingress")
    body = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
    limit = int(data.get("INGEST_CLIENT_MAX_SIZE", IngestSettings.model_fields["client_max_size"].default))
    assert _body_bytes(body) == limit, f"ingress body size {body} != ingest client_max_size {limit}"
    (rule,) = ingress["spec"]["rules"]
    if "INGEST_PUBLIC_BASE_URL" in data:
        assert rule["host"] == urlparse(data["INGEST_PUBLIC_BASE_URL"]).hostname
    assert rule["host"] in ingress["spec"]["tls"][0]["hosts"]
    backends = {p["backend"]["service"]["name"] for p in rule["http"]["paths"]}
    assert backends == {"ingest"} and find(objects, "Service", "ingest")


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_processors_have_time_to_drain_their_files(env: str) -> None:
    objects = overlay(env)
    data = config(objects)
    lint = float(data.get("PROCESSORS_LINT_TIMEOUT_SECONDS",
                          ProcessorSettings.model_fields["lint_timeout_seconds"].default))
    pod = one(objects, "Deployment", "processors")["spec"]["template"]["spec"]
    grace = pod["terminationGracePeriodSeconds"]
    # The file in flight, then the lint pool's join (10 s) and the tombstone heartbeat (10 s).
    assert grace >= lint + 20, f"grace {grace}s cannot drain a {lint}s lint"

