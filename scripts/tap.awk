# tap.awk: the workbench's parser of a guest's TAP stream (results.tap with
# CR removed), used by scripts/verdict.sh.
#
#   awk -v tsv=FILE -f tap.awk <results.tap
#
# The stream: "TAP version 13", a plan "1..N", one top-level result per
# test binary ("ok 3 ARM:NAME", "not ok 5 ARM:NAME # exit=1",
# "ok 2 ARM:NAME # SKIP why") and, before it, the binary's own output as
# "# " lines, which may be TAP of its own ("# 1..39", "# ok 1 ARM:SUB",
# "# ok 7 # SKIP why" from kselftest.h); at the end "WORKBENCH-END rc=N".
#
# Writes one line per result to FILE: STATUS<TAB>ID<TAB>REASON, STATUS
# pass|fail|skip. A binary with results of its own contributes those
# (ID "BINARY/SUB", or "BINARY/#N" when a result has no name), plus a
# failure of its own when it failed although none of them did; a binary
# without any contributes itself (ID "BINARY"). XFAIL counts as a pass,
# XPASS as a failure (kselftest's exit codes). The arm prefix is dropped.
#
# Prints one line per problem of the stream: a plan that does not match
# its results (top level or a binary's own), no plan, no WORKBENCH-END,
# a WORKBENCH-END rc other than 0.

# strip_arm(NAME): NAME without the "ARM:" that run-guest.sh puts first
# (ARM from the "# arm=" line; without one, any leading "WORD:").
function strip_arm(name) {
	if (arm != "" && index(name, arm ":") == 1)
		return substr(name, length(arm) + 2)
	if (arm == "")
		sub(/^[A-Za-z0-9_+-]+:/, "", name)
	return name
}

# parse(LINE): split a result line into r_ok, r_num, r_name, r_dir
# (SKIP, XFAIL, XPASS, TODO or "") and r_why.
function parse(line,    rest, i, d) {
	r_ok = (line !~ /^not /)
	sub(/^(not )?ok /, "", line)
	r_num = line
	sub(/ .*/, "", r_num)
	rest = substr(line, length(r_num) + 1)
	sub(/^ /, "", rest)
	r_name = rest
	r_dir = ""
	r_why = ""
	if (rest ~ /^#/)
		rest = " " rest
	i = index(rest, " # ")
	if (i > 0) {
		r_name = substr(rest, 1, i - 1)
		d = substr(rest, i + 3)
		sub(/^ +/, "", d)
		if (toupper(d) ~ /^(SKIP|XFAIL|XPASS|TODO)([^A-Z]|$)/) {
			r_dir = toupper(d)
			sub(/[^A-Z].*/, "", r_dir)
			d = substr(d, length(r_dir) + 1)
			sub(/^[: ]+/, "", d)
		}
		r_why = d
	}
	sub(/ +$/, "", r_name)
	r_name = strip_arm(r_name)
}

function status() {
	if (!r_ok)
		return "fail"
	if (r_dir == "SKIP")
		return "skip"
	if (r_dir == "XPASS")
		return "fail"
	return "pass"
}

function emit(st, id, why) {
	gsub(/\t/, " ", why)
	printf "%s\t%s\t%s\n", st, id, why > tsv
}

function reset_sub() {
	sub_n = 0
	sub_plan = -1
	sub_fail = 0
}

BEGIN {
	top_plan = -1
	top_n = 0
	end_rc = ""
	arm = ""
	reset_sub()
}

/^# arm=/ && arm == "" {
	arm = $2
	sub(/^arm=/, "", arm)
	next
}

/^# (not )?ok [0-9]+/ {
	parse(substr($0, 3))
	sub_n++
	sub_st[sub_n] = status()
	sub_id[sub_n] = (r_name == "" ? "#" r_num : r_name)
	sub_why[sub_n] = (r_dir == "XPASS" ? "XPASS " : "") r_why
	if (sub_st[sub_n] == "fail")
		sub_fail++
	next
}

/^# 1\.\.[0-9]+/ {
	sub_plan = $2
	sub(/^1\.\./, "", sub_plan)
	sub_plan += 0
	next
}

/^1\.\.[0-9]+/ {
	if (top_plan >= 0)
		print "two top-level TAP plans (1.." top_plan " and " $1 ")"
	top_plan = substr($1, 4) + 0
	if (top_plan == 0 && $0 ~ /# *SKIP/) {
		why = $0
		sub(/^[^#]*# *SKIP:? */, "", why)
		emit("skip", "(run)", why)
	}
	next
}

/^(not )?ok [0-9]+/ {
	top_n++
	parse($0)
	bin = r_name
	st = status()
	if (sub_n == 0) {
		why = r_why
		if (sub_plan > 0)
			why = why " (planned " sub_plan " results, printed none)"
		emit(st, bin, why)
	} else {
		for (i = 1; i <= sub_n; i++)
			emit(sub_st[i], bin "/" sub_id[i], sub_why[i])
		if (st == "fail" && sub_fail == 0)
			emit("fail", bin, "the binary failed (" r_why ") although none of its " sub_n " results did")
		if (sub_plan < 0)
			print bin ": " sub_n " results of its own but no plan (1..N)"
		else if (sub_plan != sub_n && st == "skip" && sub_n < sub_plan)
			emit("skip", bin, "stopped after " sub_n " of " sub_plan " planned results: " r_why)
		else if (sub_plan != sub_n)
			print bin ": its plan is 1.." sub_plan " but it printed " sub_n " results"
	}
	reset_sub()
	next
}

/^WORKBENCH-END rc=/ {
	end_rc = $2
	sub(/^rc=/, "", end_rc)
	next
}

END {
	if (sub_n > 0)
		print sub_n " results of a binary that has no top-level result (the run stopped inside it)"
	if (end_rc == "")
		print "the guest did not reach the end of its run (no WORKBENCH-END)"
	else if (end_rc != "0")
		print "the guest's run ended with rc=" end_rc " (WORKBENCH-END rc=" end_rc ")"
	if (top_plan < 0)
		print "no TAP plan (1..N) in the guest's output"
	else if (top_plan != top_n)
		print "the TAP plan is 1.." top_plan " but the guest printed " top_n " results"
	close(tsv)
}
