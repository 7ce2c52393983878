"""The alert rules and the compose scrape configuration, checked and unit-tested by promtool.

promtool comes with Debian's ``prometheus`` package (``infra/tools/prometheus.sh promtool``
installs it when missing, or fails the test saying why). Beyond promtool's own checks: every
alert is shown both firing and not firing by ``alerts_test.yml``, carries a severity and a
runbook that names an existing section of docs/troubleshooting.md, and reads only metrics that
docs/operations.md documents.
"""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.ops.tools import ROOT, tool

PROMETHEUS = ROOT / "infra" / "monitoring" / "prometheus"
TROUBLESHOOTING = ROOT / "docs" / "troubleshooting.md"


def _promtool(*args: str, cwd: Path = PROMETHEUS) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tool("prometheus.sh", "promtool"), *args], capture_output=True, text=True,
                          cwd=cwd, check=False, timeout=60)


def _rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#{2,6} (.+)$", markdown, re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_promtool_checks_the_rules_and_the_compose_config() -> None:
    rules = _promtool("check", "rules", "alerts.yml")
    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert f"SUCCESS: {len(_rules())} rules found" in rules.stdout
    config = _promtool("check", "config", "prometheus.yml")
    assert config.returncode == 0, config.stdout + config.stderr
    assert "1 rule files found" in config.stdout


def test_promtool_unit_tests_pass() -> None:
    done = _promtool("test", "rules", "alerts_test.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_the_unit_tests_catch_a_wrong_threshold(tmp_path: Path) -> None:
    # The same tests against rules whose lag threshold is 1000: the firing case must fail.
    shutil.copy(PROMETHEUS / "alerts_test.yml", tmp_path)
    text = (PROMETHEUS / "alerts.yml").read_text()
    assert "sql_linting_consumer_lag) > 100\n" in text
    (tmp_path / "alerts.yml").write_text(text.replace("sql_linting_consumer_lag) > 100\n",
                                                      "sql_linting_consumer_lag) > 1000\n"))
    done = _promtool("test", "rules", "alerts_test.yml", cwd=tmp_path)
    assert done.returncode != 0
    assert "alertname: SqlLintLagHigh" in done.stdout + done.stderr


def test_every_alert_is_tested_firing_and_quiet() -> None:
    tests = yaml.safe_load((PROMETHEUS / "alerts_test.yml").read_text())["tests"]
    cases = [case for test in tests for case in test["alert_rule_test"]]
    for rule in _rules():
        mine = [case for case in cases if case["alertname"] == rule["alert"]]
        assert any(case["exp_alerts"] for case in mine), f"{rule['alert']} never shown firing"
        assert any(not case["exp_alerts"] for case in mine), f"{rule['alert']} never shown quiet"


def test_every_alert_has_a_severity_a_duration_and_an_existing_runbook() -> None:
    anchors = _anchors(TROUBLESHOOTING.read_text())
    for rule in _rules():
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule.get("for"), f"{rule['alert']} has no for: duration"
        notes = rule["annotations"]
        assert "$value" in notes["summary"] + notes["description"], f"{rule['alert']} does not say the value"
        page, _, anchor = notes["runbook_url"].partition("#")
        assert page == "docs/troubleshooting.md" and anchor in anchors, (rule["alert"], notes["runbook_url"])


def test_the_alerts_read_documented_metrics_only() -> None:
    operations = (ROOT / "docs" / "operations.md").read_text()
    documented = set(re.findall(r"`(sql(?:lint|_linting)_\w+)`", operations))
    for rule in _rules():
        for name in re.findall(r"\bsql_linting_\w+", rule["expr"]):
            family = re.sub(r"_(bucket|sum|count)$", "", name)
            assert name in documented or family in documented, f"{rule['alert']} reads undocumented {name}"
