# Where one ioctl per 64 KiB spends its time, both backends in this boot:
# vfio_bench's "profile" pass under ftrace's function_graph tracer, from
# the ioctl syscall down.  Prints "profile| BACKEND DEPTH FUNCTION CALLS
# TOTAL_US" per function the pass called, inclusive times, to attribute the
# per-call figure of make bench.  Tracing slows every traced call: compare
# the backends and the shares, not the times with make bench's.
# Functions of modules built untraced (Linux 6.12 here: see
# tests/testbed/setup.sh) do not appear; their time stays in the caller's.
# timeout: 1200
. /tests/lib.sh
# As in bench-backends: QEMU's way of making a window tries one level first.
kmsg_allow 'Failed to allocate a TCE memory, level shift=[0-9]+$'
grp=$(nvme_to_vfio) || exit 1
for m in spapr_tce_ddw vfio_iommu_spapr_tce; do
	! mod_loaded $m || rmmod $m || fail "$m does not unload"
done
t=/sys/kernel/tracing
[ -e $t/tracing_on ] || mount -t tracefs tracefs $t || skip "no tracefs"
grep -qw function_graph $t/available_tracers || skip "no function_graph tracer"
echo 0 >$t/tracing_on
echo 32768 >$t/buffer_size_kb
echo function_graph >$t/current_tracer
echo '*sys_ioctl' >$t/set_graph_function || fail "no ioctl syscall to trace"
# Who else ran, and who woke it: time a switch away counts in the caller.
echo 1 >$t/events/sched/sched_switch/enable
echo 1 >$t/events/sched/sched_wakeup/enable
echo 1 >$t/events/workqueue/workqueue_execute_start/enable
echo 1 >$t/events/workqueue/workqueue_queue_work/enable
echo 'stacktrace if prev_comm ~ "kworker*"' >$t/events/sched/sched_switch/trigger
for o in funcgraph-tail nofuncgraph-irqs nofuncgraph-proc; do echo $o >$t/trace_options; done
# Inclusive microseconds per (depth, function) of the trace on stdin.
summarise() {
	awk -F'|' -v b="$1" '
	NF < 2 { next }
	{
		d = $1; sub(/^.*\)/, "", d); gsub(/[+!#*@$ ]/, "", d)
		us = d + 0
		if (d ~ /ms$/) us *= 1000
		if (d ~ /ns$/) us /= 1000
		r = $2; sub(/^ /, "", r); i = match(r, /[^ ]/); depth = (i - 1) / 2
		name = ""
		if (r ~ /^ *[A-Za-z0-9_.]+\(\);/) { name = r; sub(/^ */, "", name); sub(/\(.*/, "", name) }
		else if (r ~ /^ *} \/\* /) { name = r; sub(/^ *} \/\* /, "", name); sub(/ .*/, "", name) }
		if (r ~ /sched_switch:/) { n = r; sub(/.*next_comm=/, "", n); sub(/ .*/, "", n); ev["switch_to_" n]++ }
		if (r ~ /sched_wakeup:/) { n = r; sub(/.*comm=/, "", n); sub(/ .*/, "", n); ev["wakeup_" n]++ }
		if (r ~ /workqueue_execute_start:/) { n = r; sub(/.*function /, "", n); sub(/ .*/, "", n); ev["work_" n]++ }
		if (r ~ /workqueue_queue_work:/) { n = r; sub(/.*function=/, "", n); sub(/ .*/, "", n); ev["queue_" n]++ }
		if (name == "" || d == "") next
		k = depth " " name; calls[k]++; tot[k] += us
	}
	END {
		for (k in calls) printf "profile| %s %s %d %.1f\n", b, k, calls[k], tot[k]
		for (k in ev) printf "profile| %s 0 event:%s %d 0\n", b, k, ev[k]
	}' |
		sort -k3,3n -k6,6nr | awk '$3 <= 10' | head -n 150
}
# 64 KiB IOMMU pages where memory allows (one entry per call), and 4 KiB
# ones (16 per call, as on a 4 KiB-page kernel, traced here if ours is not).
for run in in-tree spapr-tce-v2 in-tree/12 spapr-tce-v2/12; do
	name=${run%/*} shift=
	[ "$name" = "$run" ] || shift=${run#*/}
	[ -n "$shift" ] && [ "$(page_shift)" -eq "$shift" ] && continue
	mod=spapr_tce_ddw
	[ $name = in-tree ] && mod=vfio_iommu_spapr_tce
	modprobe $mod || fail "modprobe $mod failed"
	echo >$t/trace
	/tests/bin/vfio_bench "$grp" profile $shift >/tmp/prof.out 2>&1 || {
		cat /tmp/prof.out
		fail "vfio_bench profile failed on $run"
	}
	# Read while the module's symbols resolve.
	summarise $run <$t/trace >/tmp/prof.sum
	grep '=>' $t/trace | sort | uniq -c | sort -nr | head -n 30 | sed "s#^#profile| $run stack #" >/dev/console
	rmmod $mod || fail "$mod does not unload"
	grep -Eq 'overrun: [1-9]|dropped events: [1-9]' $t/per_cpu/cpu*/stats && echo "$run: trace overran"
	sed -n "s#^bench: #profile| $run figure #p" /tmp/prof.out >/dev/console
	cat /tmp/prof.sum >/dev/console
	[ -s /tmp/prof.sum ] || fail "no trace of $run's ioctls"
done
echo 0 >$t/events/enable
echo nop >$t/current_tracer
echo 1 >$t/tracing_on
