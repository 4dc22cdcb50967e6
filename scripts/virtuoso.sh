#!/usr/bin/env bash
# A throw-away Virtuoso 7 (Debian's virtuoso-opensource) on 127.0.0.1, for the tests and benchmarks.
#   scripts/virtuoso.sh start DIR [HTTP_PORT] [SQL_PORT]   fresh database in DIR; prints the base URL
#   scripts/virtuoso.sh stop DIR                           stops it (SIGTERM, then SIGKILL)
# SPARQL at <url>/sparql, the Graph Store Protocol at <url>/sparql-graph-crud-auth (digest auth,
# user dba, password dba: a fresh database's). Nothing listens beyond the loopback address.
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a folder for the database}
case "$cmd" in
start)
  http=${3:-8890}
  sql=${4:-1111}
  command -v virtuoso-t >/dev/null || { echo "virtuoso.sh: virtuoso-t not installed (apt-get install virtuoso-opensource)" >&2; exit 3; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  cat > "$dir/virtuoso.ini" <<EOF
[Database]
DatabaseFile = $dir/virtuoso.db
ErrorLogFile = $dir/virtuoso.log
LockFile = $dir/virtuoso.lck
TransactionFile = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = $dir/virtuoso-temp.db
TransactionFile = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:$sql
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., $dir
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
MaxQueryMem = 512M
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:$http
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 120
DeferInferenceRulesInit = 0
EOF
  cd "$dir"
  # the server itself in the background (no subshell that would keep the caller's stdout open)
  setsid virtuoso-t +configfile "$dir/virtuoso.ini" +foreground >"$dir/stdout.log" 2>&1 </dev/null &
  echo $! > "$dir/pid"
  cd - >/dev/null
  for _ in $(seq 1 240); do
    if python3 - "$http" <<'EOF' 2>/dev/null; then echo "http://127.0.0.1:$http"; exit 0; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/sparql?query=ASK%7B%7D", timeout=2).read()
EOF
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || { echo "virtuoso.sh: virtuoso-t exited:" >&2; tail -20 "$dir/virtuoso.log" >&2 || true; exit 1; }
    sleep 0.5
  done
  echo "virtuoso.sh: no answer on port $http after 120 s" >&2
  exit 1
  ;;
stop)
  [ -f "$dir/pid" ] || exit 0
  pid=$(cat "$dir/pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || { rm -f "$dir/pid"; exit 0; }; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/pid"
  ;;
*) echo "virtuoso.sh: start or stop, not $cmd" >&2; exit 2 ;;
esac
