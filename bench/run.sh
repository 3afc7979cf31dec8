#!/usr/bin/env bash
# Side-by-side benchmark: raw SDK listing vs our index build, and a full cycle with the presence
# index vs one with per-key HeadObject, against an in-process S3 server and PostgreSQL.
#   bench/run.sh [N] [HEAD_SAMPLE]
# N: CIDs in the work list (default 100000); HEAD_SAMPLE: CIDs of the head-mode cycle
# (default min(N, 100000): at 1M, per-key HeadObject over HTTP takes long on 2 cores).
# The last stdout line is one JSON object.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
HEAD_SAMPLE="${2:-$(( N < 100000 ? N : 100000 ))}"
mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >&2
exec java -Xms2g -Xmx12g -XX:+UseParallelGC -Dlogback.configurationFile=bench/logback-bench.xml \
  -cp "target/classes:target/test-classes:$(cat target/bench.cp)" io.blobrepair.bench.RepairBenchmark "$N" "$HEAD_SAMPLE"
