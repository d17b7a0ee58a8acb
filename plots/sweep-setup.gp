# sweep-setup.gp — loaded by the charts of a sweep-ci.csv file `in`: sets
# key (default: the first grid key, the header of column 2), policies
# (default: all, in file order), npol, scen (the scenario column of the first
# row), key_label(k) (the axis title of a grid key) and the x axis (log scale
# when logx=1).
if (!exists("key")) { stats in every ::0::0 using (key = columnhead(2), 0) nooutput }
if (!exists("policies")) { call plotdir."/uniq.gp" in "policy"; policies = uniq_list }
npol = words(policies)
if (npol == 0) { print "no policies in ".in; exit status 2 }
if (!exists("scen")) { stats in every ::0::0 using (scen = strcol("scenario"), 0) nooutput }
key_label(k) = (k eq "workload.clients") ? "number of clients (workload.clients)" : k
if (exists("logx") && logx) { set logscale x }
