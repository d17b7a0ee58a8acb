# latency.awk — per-request end-to-end latency from a retrysim trace
# (attempts.csv of `retrysim run --trace` or `retrysim live`: one row per attempt).
#
# A request's latency is the end_time_s of its final row (decision "done" or
# "give-up") minus the send_time_s of its first attempt; for a request sent at
# once this is the same interval as the latency_* metrics, which run from the
# request's start to its answer. Rows of one request share (policy,
# replication, request_id) and come in time order. Prints CSV with a header:
#   policy,replication,latency_s,succeeded      (succeeded: 1 done, 0 gave up)
# Requests still open at the end of the run are left out. Fields are split at
# commas and stripped of quotes: names must not contain commas (retrysim's
# names never do). Memory: one entry per request in progress.
#
# With -v policies="a b c" the first column is instead the policy's position
# in that list (1, 2, ...; rows of other policies are dropped) and no header
# is printed: an all-numeric table that gnuplot reads fast.
BEGIN {
    FS = ","
    npol = split(policies, plist, " ")
    for (i = 1; i <= npol; i++) pnum[plist[i]] = i
    if (!npol) print "policy,replication,latency_s,succeeded"
}
NR == 1 {
    for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); col[h] = i }
    if (!("request_id" in col) || !("send_time_s" in col) || !("decision" in col)) {
        print "latency.awk: not a retrysim attempts.csv (no request_id/send_time_s/decision header)" > "/dev/stderr"
        exit 2
    }
    next
}
{
    gsub(/"/, "")
    p = $col["policy"]
    if (npol) { if (!(p in pnum)) next; p = pnum[p] }
    k = $col["policy"] SUBSEP $col["replication"] SUBSEP $col["request_id"]
    if (!(k in first)) first[k] = $col["send_time_s"]
    d = $col["decision"]
    if (d == "done" || d == "give-up") {
        printf "%s,%s,%.9g,%d\n", p, $col["replication"], $col["end_time_s"] - first[k], d == "done"
        delete first[k]
    }
}
