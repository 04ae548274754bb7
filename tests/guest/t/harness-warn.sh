# Harness self-test: loads a module that WARNs; the run must be failed.
. /tests/lib.sh
insmod /harness/ddw_harness_warn.ko || fail "insmod ddw_harness_warn failed"
