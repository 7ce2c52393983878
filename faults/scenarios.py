"""The six fault scenarios. Each returns its :class:`Figures`; ``Figures.problems()`` judges it.

Sleeps here only give a fault its duration (30 s of outage, traffic while a
broker is dead); every wait for an outcome polls the database or the cluster.
"""

import signal
import time
from collections.abc import Callable

from faults.cluster import kill_node, leaders, main_leader
from faults.figures import Figures
from faults.kafka_probe import delete_group, wait_caught_up
from faults.load import PostStream
from faults.mariadb import PrivateMariaDB
from faults.observe import changed_columns, diff_rows, dump, wait_all_final
from faults.runner import ARCHIVES, DRAIN_TIMEOUT_S, FILES, FaultEnv, Observed, sink_topics
from faults.services import SESSION_TIMEOUT_S, fault_stack
from harness import cluster
from harness.groups import wait_members
from harness.resources import migrated_database
from sink.migrate import upgrade

TOTAL = ARCHIVES * FILES
DB_OUTAGE_S = 30
BROKER_DOWN_S = 15
BLACKOUT_S = 20


def kill_worker(env: FaultEnv) -> Figures:
    """Kill -9 the processor worker at ~20/50/80 % of the load, restarting it each time."""
    with migrated_database(env.server_url) as db, fault_stack(env.bootstrap, db, env.workdir / "kw") as run, \
            Observed.watch(run) as obs:
        obs.post_zips()
        kills = []
        for fraction in (0.2, 0.5, 0.8):
            obs.sampler.wait_final(int(TOTAL * fraction), timeout=120)
            kills.append(obs.sampler.final)
            run.stack.kill("processors")
            run.stack.restart("processors")
        fig = obs.finish("kill-worker", time.monotonic())
        fig.notes.append(f"SIGKILL to the worker and its lint pool at {kills} final tasks of {TOTAL}")
        return fig


def kill_leader(env: FaultEnv) -> Figures:
    """SIGKILL the broker leading most tasks partitions mid-load; POSTs keep coming."""
    with migrated_database(env.server_url) as db, fault_stack(env.bootstrap, db, env.workdir / "kl") as run, \
            Observed.watch(run) as obs:
        try:
            with PostStream(run.stack.base_url, obs.ledger):
                obs.post_zips()
                obs.sampler.wait_final(int(TOTAL * 0.3), timeout=120)
                before = leaders(run.topics.tasks)
                victim = main_leader(run.topics.tasks)
                kill_node(victim)
                killed_at = time.monotonic()
                time.sleep(BROKER_DOWN_S)  # POSTs and the load run on two brokers meanwhile
                after = leaders(run.topics.tasks)
            during = [a.status for a in obs.ledger.answers if a.sent_at >= killed_at]
            fig = obs.finish("kill-leader", killed_at)
        finally:
            cluster.start()  # the node comes back once the load is audited (and its port is free)
        fig.notes.append(
            f"killed node {victim}; tasks leaders before {dict(before)}, while it was down {dict(after)}; "
            f"POSTs during the first {BROKER_DOWN_S} s without it answered {_tally(during)}")
        return fig


def db_outage(env: FaultEnv) -> Figures:
    """Stop the test's own MariaDB for 30 s under load, then start it again."""
    server = PrivateMariaDB(env.workdir / "mariadb")
    server.start()
    try:
        db = server.create_database()
        upgrade(db)
        with fault_stack(env.bootstrap, db, env.workdir / "db") as run, Observed.watch(run) as obs:
            with PostStream(run.stack.base_url, obs.ledger):
                obs.post_zips()
                obs.sampler.wait_final(int(TOTAL * 0.2), timeout=120)
                probe_job = next(iter(obs.ledger.accepted()))
                server.stop()
                down_at = time.monotonic()
                time.sleep(DB_OUTAGE_S / 2)
                get_status, _ = run.stack.request("GET", f"/api/v1/jobs/{probe_job}")
                ready_status, _ = run.stack.request("GET", "/health/ready")
                time.sleep(DB_OUTAGE_S / 2)
                server.start()
                up_at = time.monotonic()
            during = [a.status for a in obs.ledger.answers if down_at <= a.sent_at < up_at]
            fig = obs.finish("db-outage", up_at)
            fig.notes.append(f"database down {up_at - down_at:.1f} s; POSTs sent meanwhile answered "
                             f"{_tally(during)}; GET job answered {get_status}, /health/ready {ready_status}")
            return fig
    finally:
        server.close()


def pause_worker(env: FaultEnv) -> Figures:
    """SIGSTOP one of two processor workers past the session timeout; SIGCONT after the other finished."""
    with migrated_database(env.server_url) as db, \
            fault_stack(env.bootstrap, db, env.workdir / "pw", processors=2) as run, \
            Observed.watch(run) as obs:
        wait_members(run.bootstrap, run.processors_group, run.topics.tasks, 2, timeout=90)
        obs.post_zips()
        obs.sampler.wait_final(int(TOTAL * 0.2), timeout=120)
        run.stack.signal("processors-0", signal.SIGSTOP)
        paused_at = time.monotonic()
        evicted = wait_members(run.bootstrap, run.processors_group, run.topics.tasks, 1, timeout=120)
        wait_all_final(obs.sampler.engine, list(obs.ledger.accepted()), DRAIN_TIMEOUT_S)
        wait_caught_up(run.bootstrap, run.sink_group, sink_topics(run))
        before = dump(obs.sampler.engine)
        run.stack.signal("processors-0", signal.SIGCONT)
        resumed_at = time.monotonic()
        rejoined = wait_members(run.bootstrap, run.processors_group, run.topics.tasks, 2, timeout=120)
        wait_caught_up(run.bootstrap, run.processors_group, [run.topics.jobs, run.topics.tasks])
        wait_caught_up(run.bootstrap, run.sink_group, sink_topics(run))
        after = dump(obs.sampler.engine)
        fig = obs.finish("pause-worker", paused_at)
        fig.changed_rows = diff_rows(before[0], after[0]) + diff_rows(before[1], after[1])
        fig.notes.append(
            f"paused {resumed_at - paused_at:.1f} s (session timeout {SESSION_TIMEOUT_S} s); evicted after "
            f"{evicted:.1f} s; rejoined {rejoined:.1f} s after SIGCONT; rows changed by its late results: "
            f"{fig.changed_rows} {changed_columns(before, after)}")
        return fig


def replay_sink(env: FaultEnv) -> Figures:
    """After the load, delete the sink's consumer group and replay every topic from the start."""
    with migrated_database(env.server_url) as db, fault_stack(env.bootstrap, db, env.workdir / "rs") as run, \
            Observed.watch(run) as obs:
        obs.post_zips()
        wait_all_final(obs.sampler.engine, list(obs.ledger.accepted()), DRAIN_TIMEOUT_S)
        wait_caught_up(run.bootstrap, run.sink_group, sink_topics(run))
        before = dump(obs.sampler.engine)
        run.stack.stop("sink")
        delete_group(run.bootstrap, run.sink_group)
        run.stack.restart("sink")
        restarted_at = time.monotonic()
        replay_s = wait_caught_up(run.bootstrap, run.sink_group, sink_topics(run), timeout=150)
        after = dump(obs.sampler.engine)
        fig = obs.finish("replay-sink", restarted_at)
        fig.changed_rows = diff_rows(before[0], after[0]) + diff_rows(before[1], after[1])
        fig.notes.append(
            f"replayed {len(before[0])} jobs / {len(before[1])} tasks worth of events from offset 0 in "
            f"{replay_s:.1f} s; rows that differ afterwards (all columns): {fig.changed_rows} "
            f"{changed_columns(before, after)}")
        return fig


def kafka_blackout(env: FaultEnv) -> Figures:
    """Stop all three brokers while POSTs keep coming; start them again."""
    with migrated_database(env.server_url) as db, fault_stack(env.bootstrap, db, env.workdir / "kb") as run, \
            Observed.watch(run) as obs:
        with PostStream(run.stack.base_url, obs.ledger, threads=3):
            obs.post_zips(archives=2)
            obs.sampler.wait_final(50, timeout=120)
            down_at = time.monotonic()
            cluster.stop()
            time.sleep(BLACKOUT_S)
            up_at = time.monotonic()
            cluster.start()
            back_at = time.monotonic()
            time.sleep(5)  # traffic after the return as well
        during = [a.status for a in obs.ledger.answers if down_at <= a.sent_at < back_at]
        after_up = [a.sent_at for a in obs.ledger.answers if a.job_id and a.sent_at >= up_at]
        first_ok = min(after_up, default=None)
        fig = obs.finish("kafka-blackout", back_at)
        fig.notes.append(
            f"brokers unavailable {back_at - down_at:.1f} s (stop, {BLACKOUT_S} s, start, ready); "
            f"POSTs sent meanwhile answered {_tally(during)}; first 2xx "
            f"{'-' if first_ok is None else f'{first_ok - up_at:.1f} s'} after the restart began")
        return fig


def _tally(statuses: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts


SCENARIOS: dict[str, Callable[[FaultEnv], Figures]] = {
    "kill-worker": kill_worker,
    "kill-leader": kill_leader,
    "db-outage": db_outage,
    "pause-worker": pause_worker,
    "replay-sink": replay_sink,
    "kafka-blackout": kafka_blackout,
}
