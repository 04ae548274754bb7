# The sPAPR VFIO sequence of DPDK's EAL.
. /tests/lib.sh
app_sequence dpdk
