// SPDX-License-Identifier: GPL-2.0-only
/*
 * The EEH ioctls of a VFIO container on kernels that no longer export
 * vfio_spapr_iommu_eeh_ioctl() (6.12): what 6.1's drivers/vfio/
 * vfio_spapr_eeh.c does, on the EEH core's exported operations, so that the
 * answers are the same on every kernel.  Built by kbuild.mk only there.
 */
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <asm/eeh.h>

#include "compat_vfio.h"

static long compat_eeh_pe_op(struct iommu_group *group, unsigned long arg)
{
	struct vfio_eeh_pe_op op;
	unsigned long minsz;
	struct eeh_pe *pe;

	pe = eeh_iommu_group_to_pe(group);
	if (!pe)
		return -ENODEV;
	minsz = offsetofend(struct vfio_eeh_pe_op, op);
	if (copy_from_user(&op, (void __user *)arg, minsz))
		return -EFAULT;
	if (op.argsz < minsz || op.flags)
		return -EINVAL;

	switch (op.op) {
	case VFIO_EEH_PE_DISABLE:
		return eeh_pe_set_option(pe, EEH_OPT_DISABLE);
	case VFIO_EEH_PE_ENABLE:
		return eeh_pe_set_option(pe, EEH_OPT_ENABLE);
	case VFIO_EEH_PE_UNFREEZE_IO:
		return eeh_pe_set_option(pe, EEH_OPT_THAW_MMIO);
	case VFIO_EEH_PE_UNFREEZE_DMA:
		return eeh_pe_set_option(pe, EEH_OPT_THAW_DMA);
	case VFIO_EEH_PE_GET_STATE:
		return eeh_pe_get_state(pe);
	case VFIO_EEH_PE_RESET_DEACTIVATE:
		return eeh_pe_reset(pe, EEH_RESET_DEACTIVATE, true);
	case VFIO_EEH_PE_RESET_HOT:
		return eeh_pe_reset(pe, EEH_RESET_HOT, true);
	case VFIO_EEH_PE_RESET_FUNDAMENTAL:
		return eeh_pe_reset(pe, EEH_RESET_FUNDAMENTAL, true);
	case VFIO_EEH_PE_CONFIGURE:
		return eeh_pe_configure(pe);
	case VFIO_EEH_PE_INJECT_ERR:
		minsz = offsetofend(struct vfio_eeh_pe_op, err.mask);
		if (op.argsz < minsz)
			return -EINVAL;
		if (copy_from_user(&op, (void __user *)arg, minsz))
			return -EFAULT;
		return eeh_pe_inject_err(pe, op.err.type, op.err.func,
					 op.err.addr, op.err.mask);
	default:
		return -EINVAL;
	}
}

long compat_eeh_ioctl(struct iommu_group *group, unsigned int cmd,
		      unsigned long arg)
{
	switch (cmd) {
	case VFIO_CHECK_EXTENSION:
		return arg == VFIO_EEH && eeh_enabled();
	case VFIO_EEH_PE_OP:
		return compat_eeh_pe_op(group, arg);
	default:
		return -EINVAL;
	}
}
