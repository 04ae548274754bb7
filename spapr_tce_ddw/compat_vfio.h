/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VFIO's IOMMU-driver interface, which Linux keeps in drivers/vfio/vfio.h,
 * absent from headers packages, and the other VFIO interfaces that differ
 * between the kernel versions spapr-ddw builds for.  Declared here, and
 * nowhere else.  kbuild.mk defines SPAPR_DDW_LINUX_6_1 or
 * SPAPR_DDW_LINUX_6_12.
 */
#ifndef _SPAPR_TCE_DDW_COMPAT_VFIO_H
#define _SPAPR_TCE_DDW_COMPAT_VFIO_H

#include <linux/build_bug.h>
#include <linux/iommu.h>
#include <linux/vfio.h>

#if !defined(SPAPR_DDW_LINUX_6_1) && !defined(SPAPR_DDW_LINUX_6_12)
#error "spapr-ddw: kbuild.mk names no supported kernel version"
#endif

struct vfio_device;

/* drivers/vfio/vfio.h of Linux 6.1 and 6.12 */
enum vfio_group_type {
	VFIO_IOMMU,
	VFIO_EMULATED_IOMMU,
	VFIO_NO_IOMMU,
};

#ifdef SPAPR_DDW_LINUX_6_1
enum vfio_iommu_notify_type {
	VFIO_IOMMU_CONTAINER_CLOSE = 0,
};
#endif

struct vfio_iommu_driver_ops {
	char		*name;
	struct module	*owner;
	void		*(*open)(unsigned long arg);
	void		(*release)(void *iommu_data);
	long		(*ioctl)(void *iommu_data, unsigned int cmd,
				 unsigned long arg);
	int		(*attach_group)(void *iommu_data,
					struct iommu_group *group,
					enum vfio_group_type);
	void		(*detach_group)(void *iommu_data,
					struct iommu_group *group);
	int		(*pin_pages)(void *iommu_data,
				     struct iommu_group *group,
				     dma_addr_t user_iova,
				     int npage, int prot,
				     struct page **pages);
	void		(*unpin_pages)(void *iommu_data,
				       dma_addr_t user_iova, int npage);
	void		(*register_device)(void *iommu_data,
					   struct vfio_device *vdev);
	void		(*unregister_device)(void *iommu_data,
					     struct vfio_device *vdev);
	int		(*dma_rw)(void *iommu_data, dma_addr_t user_iova,
				  void *data, size_t count, bool write);
	struct iommu_domain *(*group_iommu_domain)(void *iommu_data,
						   struct iommu_group *group);
#ifdef SPAPR_DDW_LINUX_6_1
	/* 6.2 dropped it with the notifier it served. */
	void		(*notify)(void *iommu_data,
				  enum vfio_iommu_notify_type event);
#endif
};

int vfio_register_iommu_driver(const struct vfio_iommu_driver_ops *ops);
void vfio_unregister_iommu_driver(const struct vfio_iommu_driver_ops *ops);

/*
 * VFIO_CHECK_EXTENSION(VFIO_EEH) and VFIO_EEH_PE_OP on a group's PE.  6.1
 * exports vfio_spapr_iommu_eeh_ioctl() (vfio_spapr_eeh.ko); 6.12 folded it
 * into its own backend, unexported: compat_eeh.c is the same code.
 */
#ifdef SPAPR_DDW_LINUX_6_1
static inline long compat_eeh_ioctl(struct iommu_group *group,
				    unsigned int cmd, unsigned long arg)
{
	return vfio_spapr_iommu_eeh_ioctl(group, cmd, arg);
}
#else
long compat_eeh_ioctl(struct iommu_group *group, unsigned int cmd,
		      unsigned long arg);
#endif

/*
 * What can be checked: the uAPI this interface serves is the one of 6.1
 * (the sPAPR v2 type and the DDW info fields exist with their values).
 */
static_assert(VFIO_SPAPR_TCE_v2_IOMMU == 7);
static_assert(VFIO_EEH == 5);
static_assert(sizeof(struct vfio_iommu_spapr_tce_ddw_info) == 16);

#endif /* _SPAPR_TCE_DDW_COMPAT_VFIO_H */
