#!/usr/bin/env bash
# Failed pull attempts per needed pull with and without presence filters, on a one-node +
# five-peer network where each missing blob is held by one peer only.
#   bench/filters.sh [N]   (N missing blobs, default 300; the last stdout line is one JSON object)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-300}"
mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >&2
exec java -Xmx4g -Dlogback.configurationFile=bench/logback-bench.xml \
  -cp "target/classes:target/test-classes:$(cat target/bench.cp)" io.blobrepair.bench.FilterBenchmark "$N"
