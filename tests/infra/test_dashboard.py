"""The Grafana dashboard and its provisioning, checked without a Grafana.

What Grafana itself would refuse or show wrongly: a panel not on the
``datasource`` variable, duplicate ids, overlapping panels, a provisioning
path that does not match. Every query is parsed by promtool (as a recording
rule, after Grafana's variables are expanded), so a syntax error fails here
in a second; tests/ops/test_prometheus.py runs them against a real stack.
"""

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.ops.tools import ROOT, dashboard_targets, grafana_expr, tool

GRAFANA = ROOT / "infra" / "monitoring" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "sqllint.json"
# What the issue asks the dashboard to show, by the metric that shows it.
WANTED = ("sql_linting_jobs_total", "sql_linting_tasks_total", "sql_linting_request_duration_seconds_bucket",
          "sql_linting_lint_duration_seconds_bucket", "sql_linting_consumer_lag", "sql_linting_workers_alive",
          "sql_linting_cache_hits_total", "sql_linting_dead_letters_total", "sql_linting_lint_processes",
          "sql_linting_host_cpu_percent", "sql_linting_host_memory_percent", "sql_linting_host_disk_percent")


def _dashboard() -> dict[str, Any]:
    return dict(json.loads(DASHBOARD.read_text()))


def _exprs() -> list[str]:
    return [target["expr"] for _, target in dashboard_targets(DASHBOARD)]


def test_the_dashboard_is_a_provisionable_grafana_dashboard() -> None:
    board = _dashboard()
    assert board["schemaVersion"] >= 39 and board["uid"] and board["title"]
    assert "id" not in board  # provisioning assigns it
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert (variables["datasource"]["type"], variables["datasource"]["query"]) == ("datasource", "prometheus")
    panels = board["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    for panel in panels:
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"] and panel.get("description"), panel["title"]
        refs = [t["refId"] for t in panel["targets"]]
        assert len(set(refs)) == len(refs), panel["title"]
        assert all(t["datasource"] == panel["datasource"] for t in panel["targets"]), panel["title"]


def test_panels_do_not_overlap() -> None:
    taken: dict[tuple[int, int], str] = {}
    for panel in _dashboard()["panels"]:
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24, panel["title"]
        columns, lines = range(pos["x"], pos["x"] + pos["w"]), range(pos["y"], pos["y"] + pos["h"])
        for cell in ((x, y) for x in columns for y in lines):
            assert cell not in taken, f"{panel['title']} overlaps {taken[cell]}"
            taken[cell] = panel["title"]


def test_it_shows_what_the_issue_asks_from_documented_metrics() -> None:
    exprs = " ".join(_exprs())
    assert [name for name in WANTED if name not in exprs] == []
    operations = (ROOT / "docs" / "operations.md").read_text()
    documented = set(re.findall(r"`(sql(?:lint|_linting)_\w+)`", operations))
    for name in re.findall(r"\bsql(?:lint|_linting)_\w+", exprs):
        assert name in documented or re.sub(r"_(bucket|sum|count)$", "", name) in documented, name


def test_promtool_parses_every_query(tmp_path: Path) -> None:
    rules = [{"record": f"dashboard:query_{i}", "expr": grafana_expr(expr, 3600, 15)[0]}
             for i, expr in enumerate(_exprs())]
    (tmp_path / "queries.yml").write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    done = subprocess.run([tool("prometheus.sh", "promtool"), "check", "rules", "queries.yml"], cwd=tmp_path,
                          capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(rules)} rules found" in done.stdout


def test_provisioning_points_at_prometheus_and_the_dashboards_folder() -> None:
    sources = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    [source] = sources["datasources"]
    assert (source["type"], source["url"]) == ("prometheus", "http://prometheus:9090")
    scrape = yaml.safe_load((ROOT / "infra" / "monitoring" / "prometheus" / "prometheus.yml").read_text())
    assert source["jsonData"]["timeInterval"] == scrape["global"]["scrape_interval"]
    providers = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "sqllint.yml").read_text())
    [provider] = providers["providers"]
    assert (provider["type"], provider["options"]["path"]) == ("file", "/var/lib/grafana/dashboards")
