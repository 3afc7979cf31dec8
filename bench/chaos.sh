#!/usr/bin/env bash
# The network simulator (src/test/java/io/blobrepair/chaos/NetworkSimulation.java): K real nodes,
# each with its own s3proxy bucket (16-key listing pages), database and peer API (behind a test
# HTTP proxy), seeded with missing, corrupted, over-replicated, placed and held blobs in every work
# list, run for C rounds (every 4th a cleanup) under a seeded random fault schedule: S3 503s,
# listings failing after k pages, corrupted copies, peers serving wrong or truncated bytes, slow
# peers, skewed clocks, a node down for a round, a node killed mid-cycle, a host removed from and
# added back to every node's list. The last 8 rounds (two cleanup periods) have no faults.
# Invariants are checked after every cycle and round.
#
#   bench/chaos.sh [--seed S] [--nodes K] [--rounds C] [--blobs-per-kind B] [--no-corruption] [--check-each-cycle]
#
# Defaults: seed 14, 5 nodes, 12 rounds, 10 blobs per kind. --no-corruption seeds and injects no
# corrupted copy; --check-each-cycle checks the copies around every node's cycle, not only every
# round. The nodes are known at port 24014 of 127.0.0.10, .11, ... (a proxy each; the node itself
# listens on 24015 of the same address), fixed so a seed ranks the blobs the same every run: one
# simulation at a time per machine. Per-round lines and the service's logs go to stderr; the
# summary to stdout (faults by kind, pulls, deletions by kind, cycles, violations, rounds to
# converge), its last line one JSON object {seed,nodes,rounds,faults,violations,rounds_to_converge}.
# Exit status 1 on any violation or no convergence.
#
#   bench/chaos.sh --soak [--cycles N]
#
# A soak of one service (src/test/java/io/blobrepair/chaos/ServiceSoak.java): one real node on its
# Quartz schedule at repair.interval=1s for N cycles (default 300, every 4th a cleanup) while its
# bucket and work lists change between cycles; heap after GC, threads (less idle pool workers that
# time out), open file descriptors and staging files after a warm-up cycle and after the last, then
# one JSON object
# {cycles,heap_first_bytes,heap_last_bytes,threads_first,threads_last,fds_first,fds_last,
# temp_files_first,temp_files_last,flat}. Exit status 1 when one of them grew.
set -euo pipefail
main=io.blobrepair.chaos.NetworkSimulation
if [[ "${1:-}" == --soak ]]; then
  main=io.blobrepair.chaos.ServiceSoak
  shift
fi
cd "$(dirname "$0")/.."
mvn -q -B -Dstyle.color=never -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >&2
# shellcheck disable=SC2086
exec java -Xmx2g ${BENCH_JAVA_OPTS:-} -Dlogback.configurationFile=bench/logback-bench.xml \
  -cp "target/classes:target/test-classes:$(cat target/bench.cp)" "$main" "$@"
