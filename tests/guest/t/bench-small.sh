# make check's run of the benchmark (make bench runs it at size): every
# figure once, at small size, for both backends, so that it cannot rot;
# make check then reads the figures with tests/bench/table.py.  Figure 8's
# "ddw" guest is nested-kvm's and nested-kvm-intree's second boot.
DDW_BENCH_SMALL=1
export DDW_BENCH_SMALL
. /tests/t/bench-backends.sh
DDW_BENCH_NESTED_KINDS=tce
. /tests/t/bench-nested.sh
