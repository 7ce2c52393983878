"""The fairness scenario's inputs and verdicts (the scenario itself runs with ``make bench``)."""

import io
import zipfile

from bench.common import Context
from bench.corpus import FIXTURES, Corpus
from bench.fairness import LAYOUTS, TARGET_S, Figures, _rows
from processors.settings import ProcessorSettings


def test_the_zip_is_2000_distinct_files_from_the_repositorys_fixtures() -> None:
    corpus = Corpus.load(FIXTURES).cycled(2000, "t")
    assert len(corpus) == 2000
    assert len(set(corpus.files.values())) == 2000  # no result cache can answer one from another
    with zipfile.ZipFile(io.BytesIO(corpus.zip_bytes())) as zf:
        assert len([n for n in zf.namelist() if n.endswith(".sql")]) == 2000


def test_the_switch_is_a_real_setting_and_the_lane_is_on_by_default() -> None:
    off = ProcessorSettings.model_validate({"express_max_files": LAYOUTS["express lane off"][
        "PROCESSORS_EXPRESS_MAX_FILES"]})
    assert off.express_max_files == 0
    assert ProcessorSettings().express_max_files >= 1
    assert LAYOUTS["express lane on"] == {}


def test_the_verdict_is_on_the_slowest_one_line_job() -> None:
    ctx = Context(Corpus({"a.sql": "select 1\n"}), FIXTURES, "ansi", FIXTURES, "k", "sqlite", 8, 1, "u")
    _rows(ctx, "on", 2000, Figures([0.3, 0.5, TARGET_S - 0.1], 60.0, "COMPLETED"))
    _rows(ctx, "off", 2000, Figures([0.3, 30.0], 60.0, "COMPLETED"))
    verdicts = {row.metric: row.met for row in ctx.report.rows if row.target}
    assert verdicts == {"on: B's one-line jobs, max": True, "off: B's one-line jobs, max": False}
    [median] = [r for r in ctx.report.rows if r.metric.startswith("on: B's one-line jobs, median")]
    assert median.value == 0.5
    assert "3 jobs" in median.note
