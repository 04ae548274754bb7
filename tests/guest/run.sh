#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs the tests of one plan (/tests/plans/NAME, one test name a line; the
# test is /tests/t/NAME.sh; a "# timeout: SECONDS" line in it raises its
# time limit from the default 300 s).  A test exits 0 (pass), 77 (skip, its last
# output line says why) or anything else (fail).  It also fails if the
# kernel logged anything at warning level or above while it ran.  Each test
# prints one result line; a failing one is followed by its output, indented;
# then its "figures: " lines, as "FIGURES TEST: ...".
. /tests/lib.sh

plan=/tests/plans/$1
[ -r "$plan" ] || { echo "guest: no plan $1"; echo "guest: 0 passed, 1 failed"; exit 1; }

dmesg -r -c >/tmp/all.kmsg-all
# The demo shows what happens, including the kernel's own complaints.
strict_klog=1
[ "$1" = demo ] && strict_klog=
pass=0 fail=0 skip=0
for t in $(grep -v '^#' "$plan"); do
	log=/tmp/$t.log
	export KMSG_ALLOW=/tmp/$t.allow
	: >"$KMSG_ALLOW"
	limit=$(sed -n 's/^# timeout: \([0-9]*\)$/\1/p' "/tests/t/$t.sh")
	limit=${DDW_TEST_TIMEOUT:-${limit:-300}}
	if [ -n "$DDW_VERBOSE" ]; then
		# Live on the console too, for whoever debugs a hang.
		{ timeout "$limit" sh "/tests/t/$t.sh" 2>&1; echo $? >/tmp/rc; } |
			tee "$log" | sed "s/^/    $t: /" >/dev/console
		rc=$(cat /tmp/rc)
	else
		timeout "$limit" sh "/tests/t/$t.sh" >"$log" 2>&1
		rc=$?
	fi
	kernel_warnings >"$log.kmsg"
	if [ -n "$strict_klog" ] && [ -s "$log.kmsg" ] && [ $rc -ne 77 ]; then
		echo "kernel logged at warning level or above:" >>"$log"
		cat "$log.kmsg" >>"$log"
		rc=1
	fi
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $t" ;;
	77) skip=$((skip + 1)); echo "SKIP $t: $(tail -n 1 "$log")" ;;
	*) fail=$((fail + 1)); echo "FAIL $t (exit $rc)"; sed 's/^/    | /' "$log" ;;
	esac
	# What the test measured, for make check's summary.
	sed -n "s/^figures: /FIGURES $t: /p" "$log"
done
if [ $fail -ne 0 ]; then
	echo "guest: the end of the kernel log follows"
	tail -n 60 /tmp/all.kmsg-all | sed 's/^/    > /'
fi
echo "guest: $pass passed, $fail failed, $skip skipped"
