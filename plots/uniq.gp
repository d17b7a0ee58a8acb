# uniq.gp — `call plotdir.'/uniq.gp' FILE COLUMN`: sets uniq_list to the
# distinct values of the string column named COLUMN in FILE (a CSV with a
# header row), space-separated, in order of first appearance. Values must
# not contain spaces (retrysim names never do).
uniq_list = ""
stats ARG1 using (uniq_list = addword(uniq_list, strcol(ARG2)), 0) nooutput
