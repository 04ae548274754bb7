# SPDX-License-Identifier: GPL-2.0-only
# kunit.py --qemu_config for a little-endian ppc64 pseries guest: TCE
# tables are big-endian whatever the CPU, and only a run on each endianness
# catches a missing conversion.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='powerpc',
			   kconfig='''
CONFIG_PPC64=y
CONFIG_CPU_LITTLE_ENDIAN=y
CONFIG_SMP=y
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_HVC_CONSOLE=y''',
			   qemu_arch='ppc64',
			   kernel_path='vmlinux',
			   kernel_command_line='console=ttyS0',
			   extra_qemu_params=['-M', 'pseries', '-cpu', 'power8', '-smp', '2'])
