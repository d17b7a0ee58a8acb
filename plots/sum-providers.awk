# sum-providers.awk — the all-providers view of a retrysim timeseries.csv:
# one row per (scenario, policy, replication, bucket) with provider "*" and
# every other column summed over the providers of that bucket (rates add up;
# so do in_flight, in_system, open_breakers, cooled). A sum with an empty
# field (an unlimited capacity) is empty. Prints CSV with the input's header.
#
# timeseries.csv has only per-provider rows; its providers of one bucket are
# consecutive lines (the run writes them so), so this keeps one bucket in
# memory. Fields are split at commas and stripped of quotes: names must not
# contain commas (retrysim's never do). Sums are printed with %.10g, as
# retrysim prints numbers.
BEGIN { FS = ","; OFS = "," }
NR == 1 {
    for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); name[i] = h; col[h] = i }
    if (!("provider" in col) || !("bucket" in col)) {
        print "sum-providers.awk: not a retrysim timeseries.csv (no provider/bucket header)" > "/dev/stderr"
        exit 2
    }
    for (i = 1; i <= NF; i++)
        key[i] = (name[i] == "scenario" || name[i] == "policy" || name[i] == "replication" ||
                  name[i] == "bucket" || name[i] == "time_s")
    nf = NF
    print
    next
}
function flush(    i, line) {
    if (cur == "") return
    line = ""
    for (i = 1; i <= nf; i++) {
        if (i == col["provider"]) v = "\"*\""
        else if (key[i]) v = first[i]
        else v = (empty[i] ? "" : sprintf("%.10g", sum[i]))
        line = line (i > 1 ? "," : "") v
    }
    print line
}
{
    k = $col["scenario"] SUBSEP $col["policy"] SUBSEP $col["replication"] SUBSEP $col["bucket"]
    if (k != cur) {
        flush()
        cur = k
        for (i = 1; i <= nf; i++) { first[i] = $i; sum[i] = 0; empty[i] = 0 }
    }
    for (i = 1; i <= nf; i++) {
        if (key[i] || i == col["provider"]) continue
        v = $i
        gsub(/"/, "", v)
        if (v == "") empty[i] = 1
        else sum[i] += v
    }
}
END { flush() }
