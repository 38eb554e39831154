#!/usr/bin/env bash
# Local Spark Thrift Server with Delta Lake, for mdl's Spark integration tests.
#
#   scripts/services/spark.sh start    resolve jars (cached), start on 127.0.0.1, wait until ready
#   scripts/services/spark.sh stop     stop the server started by `start`
#   scripts/services/spark.sh status   exit 0 when running and answering queries
#
# Jars: Apache Spark 3.5 (spark-hive-thriftserver) + Delta Lake (delta-spark) and all transitive
# dependencies, resolved through Maven Central by scripts/services/spark/pom.xml into
# $MDL_SPARK_CACHE (default ~/.cache/mdl-spark), keyed by the pom's hash so a version bump
# re-resolves. State (Derby metastore, Delta warehouse, logs, pid) lives in <repo>/.services/spark,
# and `.services/spark.env` exports MDL_SPARK_HOST / MDL_SPARK_PORT for the tests.
#
# Environment: MDL_SPARK_PORT (default 10009), MDL_SPARK_CACHE, MDL_SPARK_MEMORY (default 2g),
# MDL_SPARK_JAVA_OPTS (JIT/GC flags),
# MDL_SPARK_START_TIMEOUT seconds (default 240), MDL_SPARK_FRESH=1 wipes the warehouse on start.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
pom="$here/spark/pom.xml"
port="${MDL_SPARK_PORT:-10009}"
host=127.0.0.1
cache="${MDL_SPARK_CACHE:-$HOME/.cache/mdl-spark}"
memory="${MDL_SPARK_MEMORY:-2g}"
timeout_s="${MDL_SPARK_START_TIMEOUT:-240}"
state="$repo/.services/spark"
envfile="$repo/.services/spark.env"
pidfile="$state/server.pid"
log="$state/thriftserver.log"

log() { printf '[spark.sh] %s\n' "$*" >&2; }

pom_key() { sha256sum "$pom" | cut -c1-16; }

# Resolve jars once per pom version into $cache/jars-<hash>; a half-finished download never
# becomes the cache because it is copied to a temp dir and renamed at the end.
resolve_jars() {
  local key dir tmp
  key="$(pom_key)"
  dir="$cache/jars-$key"
  if [[ -f "$dir/.complete" ]]; then
    printf '%s\n' "$dir"
    return
  fi
  command -v mvn >/dev/null || { log "mvn not found: install maven (apt-get install maven)"; exit 1; }
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/jars-tmp.XXXXXX")"
  log "resolving Spark + Delta jars through Maven into $dir (first run only)…"
  # Maven's own repository also lives in the cache, so one directory is all CI needs to keep.
  if ! mvn -B -q -f "$pom" dependency:copy-dependencies -Dmaven.repo.local="$cache/m2" \
    -DoutputDirectory="$tmp" -DincludeScope=runtime >"$cache/mvn-$key.log" 2>&1; then
    log "Maven resolution failed; see $cache/mvn-$key.log"
    rm -rf "$tmp"
    exit 1
  fi
  touch "$tmp/.complete"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  printf '%s\n' "$dir"
}

is_alive() {
  [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

port_open() {
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# A real query through the same client library the runner uses.
ping_query() {
  (cd "$repo" && node "$here/spark/ping.mjs" "$host" "$port") >/dev/null 2>&1
}

write_env() {
  mkdir -p "$(dirname "$envfile")"
  printf 'export MDL_SPARK_HOST=%s MDL_SPARK_PORT=%s\n' "$host" "$port" >"$envfile"
}

start() {
  if is_alive && ping_query; then
    log "already running (pid $(cat "$pidfile")) on $host:$port"
    write_env
    return
  fi
  if is_alive; then
    log "a previous server (pid $(cat "$pidfile")) is not answering; stopping it"
    stop
  fi
  if port_open; then
    log "port $port on $host is taken by another process; set MDL_SPARK_PORT"
    exit 1
  fi
  local jars t0
  t0=$(date +%s)
  jars="$(resolve_jars)"
  mkdir -p "$state"
  if [[ "${MDL_SPARK_FRESH:-0}" == 1 ]]; then
    rm -rf "$state/warehouse" "$state/metastore_db"
  fi
  mkdir -p "$state/warehouse" "$state/tmp"
  # Flags Spark 3.5 itself adds on Java 17 (launcher JavaModuleOptions).
  local opens=(
    -XX:+IgnoreUnrecognizedVMOptions
    --add-opens=java.base/java.lang=ALL-UNNAMED
    --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/java.net=ALL-UNNAMED
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/java.util=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
    --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
    --add-opens=java.base/sun.security.action=ALL-UNNAMED
    --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
    -Djdk.reflect.useDirectMethodHandle=false
  )
  local conf=(
    "-Xmx$memory"
    # Extra JVM flags. (Measured: C1-only JIT made the test suite slower, so defaults stay.)
    ${MDL_SPARK_JAVA_OPTS:-}
    "-Djava.io.tmpdir=$state/tmp"
    "-Dderby.system.home=$state"
    "-Dspark.master=local[2]"
    "-Dspark.app.name=mdl-spark-thriftserver"
    "-Dspark.ui.enabled=false"
    "-Dspark.driver.host=$host"
    "-Dspark.driver.bindAddress=$host"
    # Test-sized data: one shuffle partition and small Delta snapshots keep statements sub-second.
    "-Dspark.sql.shuffle.partitions=1"
    "-Dspark.default.parallelism=2"
    "-Dspark.databricks.delta.snapshotPartitions=1"
    "-Dspark.databricks.delta.merge.materializeSource=none"
    "-Dspark.sql.adaptive.enabled=false"
    "-Dspark.sql.catalogImplementation=hive"
    "-Dspark.sql.warehouse.dir=$state/warehouse"
    "-Dspark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension"
    "-Dspark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog"
    "-Dspark.databricks.delta.schema.autoMerge.enabled=false"
    # Behave like a Databricks SQL warehouse: ANSI SQL semantics, UTC session time zone.
    "-Dspark.sql.ansi.enabled=true"
    # Bronze Parquet gains columns over time; read the union of all file schemas (like union_by_name).
    "-Dspark.sql.parquet.mergeSchema=true"
    # NOT incrementalCollect: it would run jobs inside FetchResults, where a CancelOperation on the
    # same (sequential) binary connection cannot reach them. Results are collected in the driver,
    # so fetching millions of rows needs MDL_SPARK_MEMORY; mdl itself only fetches small results.
    "-Dspark.sql.session.timeZone=UTC"
    "-Duser.timezone=UTC"
    "-Dspark.hadoop.javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName=$state/metastore_db;create=true"
    "-Dspark.hadoop.datanucleus.schema.autoCreateAll=true"
    "-Dspark.hadoop.hive.metastore.schema.verification=false"
    "-Dspark.local.dir=$state/tmp"
  )
  local hive=(
    --hiveconf "hive.server2.thrift.bind.host=$host"
    --hiveconf "hive.server2.thrift.port=$port"
    --hiveconf hive.server2.transport.mode=binary
    --hiveconf hive.server2.authentication=NONE
    --hiveconf hive.server2.enable.doAs=false
  )
  log "starting HiveThriftServer2 on $host:$port (log: $log)"
  # setsid: own process group, so `stop` can end the JVM and nothing else.
  setsid java "${opens[@]}" "${conf[@]}" -cp "$jars/*" \
    org.apache.spark.sql.hive.thriftserver.HiveThriftServer2 "${hive[@]}" \
    >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  local deadline=$(($(date +%s) + timeout_s))
  until port_open && ping_query; do
    if ! is_alive; then
      log "server exited during start-up; last lines of $log:"
      tail -n 30 "$log" >&2
      rm -f "$pidfile"
      exit 1
    fi
    if (($(date +%s) > deadline)); then
      log "not ready after ${timeout_s}s; stopping (see $log)"
      stop
      exit 1
    fi
    sleep 1
  done
  write_env
  log "ready on $host:$port in $(($(date +%s) - t0))s (pid $(cat "$pidfile")); env: $envfile"
}

stop() {
  if [[ -f "$pidfile" ]]; then
    local pid
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 30); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
      done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
      log "stopped (pid $pid)"
    fi
    rm -f "$pidfile"
  else
    log "not running"
  fi
  rm -f "$envfile"
}

status() {
  if is_alive && ping_query; then
    log "running (pid $(cat "$pidfile")) on $host:$port"
  else
    log "not running"
    exit 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  jars) resolve_jars ;;
  *)
    echo "usage: $0 start|stop|status|jars" >&2
    exit 2
    ;;
esac
