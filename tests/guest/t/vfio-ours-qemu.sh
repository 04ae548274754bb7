# The sPAPR VFIO sequence of QEMU 7.2's hw/vfio for a pseries guest with a DDW.
. /tests/lib.sh
app_sequence qemu
