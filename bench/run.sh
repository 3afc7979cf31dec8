#!/usr/bin/env bash
# Side-by-side benchmark against an in-process S3 server (s3proxy) and PostgreSQL: the raw SDK
# listing (the floor) vs our listing (the presence-index route), without and with the S3 server
# answering each request L ms late, a full cycle with the presence index vs one with per-key
# HeadObject, the heap of a whole cycle per key at its peak, the index's heap per entry and lookup
# rate, and the per-CID route's rate.
#
#   bench/run.sh [N] [--skip-head | --head-sample K] [--runs R] [--s3-latency-ms L] [--xmx-bisect] [--pull-blobs K]
#
# N: CIDs in the work lists (default 100000; 1% of them missing from the bucket, held by a peer).
# The head-mode cycle sends one HeadObject per CID over HTTP, several minutes per 100,000 on two
# cores: by default it runs on the first min(N, 100000) CIDs (its own bucket and database, seeded
# the same way); --head-sample K changes that, --skip-head leaves it out. --runs R: timed runs of
# the raw listing, the index build and the lookups (default 3, medians reported). --s3-latency-ms L:
# the server's delay per request in the second listing comparison (default 20; list_speedup_at_<L>ms).
# --xmx-bisect: also the smallest -Xmx with which --once completes a cycle in a child JVM (slow).
# --pull-blobs K: blobs of 64 KiB a fresh node pulls from three peers at concurrency 1 and 8
# (pull_concurrency_speedup; default 10000, 0 skips it).
# Progress and the table go to stdout; its last line is one JSON object. Maven's and the
# service's logs go to stderr (bench/logback-bench.xml: warnings and errors only).
# BENCH_JAVA_OPTS adds JVM options (e.g. BENCH_JAVA_OPTS=-Xlog:gc:file=target/bench-gc.log).
set -euo pipefail
cd "$(dirname "$0")/.."
N=100000
if [[ $# -gt 0 && "$1" != --* ]]; then
  N="$1"
  shift
fi
mvn -q -B -Dstyle.color=never -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >&2
# 1M keys: the in-memory bucket (~1.1M blobs), the work-list CIDs and two indexes fit in 12 GiB
# shellcheck disable=SC2086
exec java -Xms2g -Xmx12g -XX:+UseParallelGC ${BENCH_JAVA_OPTS:-} -Dlogback.configurationFile=bench/logback-bench.xml \
  -cp "target/classes:target/test-classes:$(cat target/bench.cp)" io.blobrepair.bench.RepairBenchmark "$N" "$@"
