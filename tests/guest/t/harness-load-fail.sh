# Harness self-test: loads a module that refuses to load; must FAIL.
. /tests/lib.sh
insmod /harness/ddw_harness_fail.ko || fail "insmod ddw_harness_fail failed (expected by the self-test)"
