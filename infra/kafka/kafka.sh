#!/usr/bin/env bash
# Runs an Apache Kafka broker (KRaft) straight from the jars Maven resolved,
# because the machines this project runs on have no Docker engine and cannot
# reach the Apache download site.
#
#   kafka.sh fetch                 resolve the jars into .cache/kafka/<version>/libs (once)
#   kafka.sh start [--cluster]     single node on 127.0.0.1:$KAFKA_PORT (9092), or 3 nodes
#   kafka.sh stop  [--cluster]     SIGTERM by pid, then SIGKILL after $KAFKA_STOP_TIMEOUT s
#   kafka.sh status                which nodes run
#   kafka.sh version               the broker version (from the jar name)
#
# Environment: KAFKA_PORT / KAFKA_CONTROLLER_PORT (single node, 9092/9093),
# KAFKA_CLUSTER_PORT (first port of the cluster, 29092; node i uses +100*(i-1) and +1),
# KAFKA_HEAP_OPTS (-Xmx512m -Xms256m), KAFKA_READY_TIMEOUT (180: after an unclean stop a broker
# recovers its logs and waits out its old registration, which took ~60 s here).
# Starting is idempotent: a node that already runs is only waited for.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
POM="$ROOT/infra/kafka/pom.xml"
VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1)"
LIBS="$ROOT/.cache/kafka/$VERSION/libs"
VAR="$ROOT/var/kafka"
HEAP="${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-180}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
SINGLE_PORT="${KAFKA_PORT:-9092}"
SINGLE_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((SINGLE_PORT + 1))}"
CLUSTER_PORT="${KAFKA_CLUSTER_PORT:-29092}"

die() { echo "kafka.sh: $*" >&2; exit 1; }

python_bin() {
    if [[ -x "$ROOT/.venv/bin/python" ]]; then echo "$ROOT/.venv/bin/python"; else echo python3; fi
}

broker_version() {
    local jar
    jar="$(ls "$LIBS"/kafka_2.13-*.jar 2>/dev/null | head -n1 || true)"
    [[ -n "$jar" ]] || die "no broker jar under $LIBS (run: kafka.sh fetch)"
    jar="$(basename "$jar" .jar)"
    echo "${jar#kafka_2.13-}"
}

fetch() {
    if ls "$LIBS"/kafka_2.13-*.jar >/dev/null 2>&1; then return 0; fi
    command -v mvn >/dev/null || die "maven (mvn) is missing: run infra/bootstrap.sh or apt-get install maven"
    echo "kafka.sh: resolving Kafka $VERSION jars with Maven into $LIBS"
    mkdir -p "$VAR"
    mvn -q -B -Dstyle.color=never -f "$POM" package >"$VAR/mvn.log" 2>&1 \
        || { cat "$VAR/mvn.log" >&2; die "maven could not resolve the broker jars"; }
    ls "$LIBS"/kafka_2.13-*.jar >/dev/null 2>&1 || die "maven ran but no broker jar in $LIBS"
}

ports_free() {  # ports... -> fails naming the first port another process holds
    # SO_REUSEADDR as the JVM sets it: a port left in TIME_WAIT by a broker that
    # just died is free for its successor, one that something listens on is not.
    python3 - "$@" <<'PY'
import socket, sys
for port in map(int, sys.argv[1:]):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            sys.exit(f"kafka.sh: port {port} is already used by another process (set KAFKA_PORT / KAFKA_CLUSTER_PORT)")
PY
}

new_cluster_id() {
    # Same format as `kafka-storage random-uuid` (url-safe base64 of 16 bytes), without a JVM start.
    python3 -c 'import base64, uuid; print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))'
}

write_log_config() {  # dir
    cat >"$1/log4j2.properties" <<EOF
# Written by infra/kafka/kafka.sh: the broker jars ship no logging configuration.
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $1/broker.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
}

write_properties() {  # dir node_id port controller_port voters replication
    local dir="$1" id="$2" port="$3" cport="$4" voters="$5" rf="$6" isr=1
    [[ "$rf" -gt 1 ]] && isr=2
    cat >"$dir/server.properties" <<EOF
# Written by infra/kafka/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=$id
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
# The processors' transactions (exactly_once): their outcomes replicated like the data, so a dead
# broker leaves no transaction undecided and no read_committed reader stuck; 1/1 on a single node.
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
group.initial.rebalance.delay.ms=0
EOF
}

java_cmd() {  # dir main-class args... -> sets the array JAVA_CMD
    local dir="$1" heap; shift
    read -r -a heap <<<"$HEAP"
    JAVA_CMD=(java "${heap[@]}" -XX:+UseG1GC -Djava.awt.headless=true
        "-Dlog4j2.configurationFile=$dir/log4j2.properties" -cp "$LIBS/*" "$@")
}

node_pid() {  # dir -> prints the pid when that node runs
    local pidfile="$1/kafka.pid" pid
    [[ -f "$pidfile" ]] || return 1
    pid="$(cat "$pidfile")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka.Kafka' || return 1
    echo "$pid"
}

prepare_node() {  # dir id port cport voters rf cluster_id
    local dir="$1"
    mkdir -p "$dir/data"
    write_log_config "$dir"
    write_properties "$dir" "$2" "$3" "$4" "$5" "$6"
    if [[ ! -f "$dir/data/meta.properties" ]]; then
        # Static quorum (controller.quorum.voters), so no --standalone: Kafka 4.x refuses both together.
        java_cmd "$dir" kafka.tools.StorageTool format -t "$7" -c "$dir/server.properties"
        "${JAVA_CMD[@]}" \
            >"$dir/format.out" 2>&1 || { cat "$dir/format.out" >&2; die "storage format failed in $dir"; }
    fi
}

launch_node() {  # dir
    local dir="$1" cmd
    java_cmd "$dir" kafka.Kafka "$dir/server.properties"
    cmd="$(printf '%q ' "${JAVA_CMD[@]}")"
    # setsid: the broker outlives the shell (and a test session) that started it;
    # the inner shell writes its own pid, then becomes java, so the pid file is exact.
    setsid bash -c "echo \$\$ >$(printf '%q' "$dir/kafka.pid"); exec $cmd" </dev/null >"$dir/broker.stdout" 2>&1 &
}

wait_ready() {  # bootstrap brokers dirs...
    local bootstrap="$1" brokers="$2"; shift 2
    local pids=() dir
    for dir in "$@"; do pids+=("$(cat "$dir/kafka.pid" 2>/dev/null || echo 0)"); done
    if ! "$(python_bin)" "$ROOT/infra/kafka/wait_ready.py" "$bootstrap" --brokers "$brokers" \
        --timeout "$READY_TIMEOUT" --pids "${pids[@]}"; then
        for dir in "$@"; do
            echo "---- tail of $dir/broker.log" >&2
            tail -n 40 "$dir/broker.log" "$dir/broker.stdout" >&2 2>/dev/null || true
        done
        die "broker(s) not ready at $bootstrap after ${READY_TIMEOUT}s"
    fi
}

start_nodes() {  # cluster_dir count
    local base="$1" count="$2" i dir port cport voters="" dirs=() bootstrap="" rf=1 cid started=0
    if [[ "$count" -eq 1 ]]; then
        voters="1@127.0.0.1:$SINGLE_CONTROLLER_PORT"; dirs=("$base"); bootstrap="127.0.0.1:$SINGLE_PORT"
    else
        rf=3
        for i in $(seq 1 "$count"); do
            port=$((CLUSTER_PORT + 100 * (i - 1)))
            voters+="${voters:+,}$i@127.0.0.1:$((port + 1))"
            bootstrap+="${bootstrap:+,}127.0.0.1:$port"
            dirs+=("$base/node$i")
        done
    fi
    fetch
    mkdir -p "$base"
    [[ -f "$base/cluster.id" ]] || new_cluster_id >"$base/cluster.id"
    cid="$(cat "$base/cluster.id")"
    for i in $(seq 1 "$count"); do
        dir="${dirs[$((i - 1))]}"
        if node_pid "$dir" >/dev/null; then continue; fi
        if [[ "$count" -eq 1 ]]; then port="$SINGLE_PORT"; cport="$SINGLE_CONTROLLER_PORT"
        else port=$((CLUSTER_PORT + 100 * (i - 1))); cport=$((port + 1)); fi
        ports_free "$port" "$cport"
        prepare_node "$dir" "$i" "$port" "$cport" "$voters" "$rf" "$cid"
        launch_node "$dir"
        started=1
    done
    wait_ready "$bootstrap" "$count" "${dirs[@]}"
    if [[ "$started" -eq 1 ]]; then
        echo "kafka.sh: Kafka $(broker_version) ready at $bootstrap ($count node(s), logs in $base)"
    else
        echo "kafka.sh: Kafka $(broker_version) already running at $bootstrap"
    fi
}

stop_dirs() {  # dirs...
    local dir pid pids=() waited=0
    for dir in "$@"; do
        if pid="$(node_pid "$dir")"; then kill -TERM "$pid"; pids+=("$pid"); fi
        rm -f "$dir/kafka.pid"
    done
    [[ ${#pids[@]} -gt 0 ]] || { echo "kafka.sh: not running"; return 0; }
    while [[ "$waited" -lt "$STOP_TIMEOUT" ]]; do
        local alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [[ "$alive" -eq 0 ]] && { echo "kafka.sh: stopped (${pids[*]})"; return 0; }
        sleep 1; waited=$((waited + 1))
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    echo "kafka.sh: killed after ${STOP_TIMEOUT}s (${pids[*]})"
}

status() {
    local dir pid any=1
    for dir in "$VAR/single" "$VAR"/cluster/node*; do
        [[ -d "$dir" ]] || continue
        if pid="$(node_pid "$dir")"; then
            echo "running  pid=$pid  $(grep '^advertised.listeners' "$dir/server.properties" | cut -d/ -f3)  $dir"
            any=0
        else
            echo "stopped  $dir"
        fi
    done
    return "$any"
}

cluster_dirs() { echo "$VAR/cluster/node1" "$VAR/cluster/node2" "$VAR/cluster/node3"; }

cmd="${1:-}"; mode="${2:-}"
case "$cmd:$mode" in
    fetch:) fetch ;;
    version:) fetch >&2; broker_version ;;
    start:) start_nodes "$VAR/single" 1 ;;
    start:--cluster) start_nodes "$VAR/cluster" 3 ;;
    stop:) stop_dirs "$VAR/single" ;;
    # shellcheck disable=SC2046
    stop:--cluster) stop_dirs $(cluster_dirs) ;;
    status:) status ;;
    *) die "usage: kafka.sh fetch|version|status|start [--cluster]|stop [--cluster]" ;;
esac
