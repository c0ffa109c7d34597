/*
 * The Linux uapi headers of the sysroot (ports/linux-uapi): <linux/input.h>,
 * <drm/drm.h>, <drm/drm_mode.h> and <linux/eventpoll.h> compile against musl
 * and give Linux's numbers and layouts, which programs written for Linux's
 * evdev, DRM and epoll interfaces pass to the kernel as they are. Exits with
 * the number of failed checks.
 */
#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <linux/eventpoll.h>
#include <linux/input.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>

static int failures;

#define CHECK_EQ(got, want)                                                                        \
	do {                                                                                       \
		unsigned long long g_ = (unsigned long long)(got), w_ = (want);                    \
		if (g_ != w_) {                                                                    \
			failures++;                                                                \
			printf("uapi: FAIL line %d: %s is %#llx, Linux has %#llx\n", __LINE__,     \
			       #got, g_, w_);                                                      \
		}                                                                                  \
	} while (0)

/* evdev: event codes, the event record and the ioctl numbers built from them. */
static void check_input(void)
{
	CHECK_EQ(EV_SYN, 0x00);
	CHECK_EQ(EV_KEY, 0x01);
	CHECK_EQ(EV_REL, 0x02);
	CHECK_EQ(EV_ABS, 0x03);
	CHECK_EQ(KEY_ESC, 1);
	CHECK_EQ(KEY_A, 30);
	CHECK_EQ(KEY_ENTER, 28);
	CHECK_EQ(BTN_LEFT, 0x110);
	CHECK_EQ(REL_WHEEL, 0x08);
	CHECK_EQ(ABS_MT_POSITION_X, 0x35);
	CHECK_EQ(KEY_MAX, 0x2ff);
	CHECK_EQ(EV_VERSION, 0x010001);
	/* A struct timeval (two longs), then type, code and value. */
	CHECK_EQ(sizeof(struct input_event), 2 * sizeof(long) + 8);
	CHECK_EQ(offsetof(struct input_event, type), 2 * sizeof(long));
	CHECK_EQ(sizeof(struct input_absinfo), 24);
	CHECK_EQ(sizeof(struct input_id), 8);
	CHECK_EQ(EVIOCGVERSION, 0x80044501);
	CHECK_EQ(EVIOCGID, 0x80084502);
	CHECK_EQ(EVIOCGNAME(256), 0x81004506);
	CHECK_EQ(EVIOCGRAB, 0x40044590);
	CHECK_EQ(EVIOCGBIT(EV_KEY, KEY_MAX / 8 + 1), 0x80604521);
	CHECK_EQ(EVIOCGABS(ABS_X), 0x80184540);
}

/* DRM: the version and mode-setting requests and the structures they carry. */
static void check_drm(void)
{
	CHECK_EQ(DRM_IOCTL_BASE, 'd');
	CHECK_EQ(sizeof(struct drm_version),
		 4 * sizeof(int) + 3 * sizeof(size_t) + 3 * sizeof(char *));
	CHECK_EQ(DRM_IOCTL_VERSION, 0xc0006400 | (sizeof(struct drm_version) << 16));
	CHECK_EQ(DRM_IOCTL_GET_CAP, 0xc010640c);
	CHECK_EQ(DRM_IOCTL_SET_CLIENT_CAP, 0x4010640d);
	CHECK_EQ(DRM_IOCTL_SET_MASTER, 0x641e);
	CHECK_EQ(DRM_IOCTL_PRIME_HANDLE_TO_FD, 0xc00c642d);
	CHECK_EQ(DRM_IOCTL_MODE_GETRESOURCES, 0xc04064a0);
	CHECK_EQ(DRM_IOCTL_MODE_GETCRTC, 0xc06864a1);
	CHECK_EQ(DRM_IOCTL_MODE_SETCRTC, 0xc06864a2);
	CHECK_EQ(DRM_IOCTL_MODE_ADDFB2, 0xc06864b8);
	CHECK_EQ(DRM_IOCTL_MODE_CREATE_DUMB, 0xc02064b2);
	CHECK_EQ(DRM_IOCTL_MODE_MAP_DUMB, 0xc01064b3);
	CHECK_EQ(DRM_IOCTL_MODE_PAGE_FLIP, 0xc01864b0);
	CHECK_EQ(DRM_IOCTL_MODE_ATOMIC, 0xc03864bc);
	CHECK_EQ(sizeof(struct drm_mode_modeinfo), 68);
	CHECK_EQ(sizeof(struct drm_mode_create_dumb), 32);
	CHECK_EQ(sizeof(struct drm_event_vblank), 32);
	CHECK_EQ(DRM_CAP_DUMB_BUFFER, 0x1);
	CHECK_EQ(DRM_CLIENT_CAP_ATOMIC, 3);
	CHECK_EQ(DRM_MODE_PAGE_FLIP_EVENT, 0x01);
	CHECK_EQ(DRM_EVENT_FLIP_COMPLETE, 0x02);
}

/* epoll as the kernel defines it, without musl's <sys/epoll.h>. */
static void check_epoll(void)
{
	CHECK_EQ(EPOLL_CTL_ADD, 1);
	CHECK_EQ(EPOLL_CTL_DEL, 2);
	CHECK_EQ(EPOLL_CTL_MOD, 3);
	CHECK_EQ(EPOLLIN, 0x001);
	CHECK_EQ(EPOLLOUT, 0x004);
	CHECK_EQ(EPOLLRDHUP, 0x2000);
	CHECK_EQ(EPOLLET, 1u << 31);
	CHECK_EQ(EPOLLONESHOT, 1u << 30);
	CHECK_EQ(EPOLL_CLOEXEC, 02000000);
	CHECK_EQ(offsetof(struct epoll_event, data) + sizeof(__u64), sizeof(struct epoll_event));
}

/* The kernel's ioctl encoding is the one musl's <sys/ioctl.h> uses. */
static void check_ioctl(void)
{
	CHECK_EQ(_IOR('E', 0x01, int), EVIOCGVERSION);
	CHECK_EQ(_IOC_SIZE(DRM_IOCTL_MODE_GETRESOURCES), sizeof(struct drm_mode_card_res));
	CHECK_EQ(_IOC_TYPE(DRM_IOCTL_MODE_GETRESOURCES), 'd');
	CHECK_EQ(_IOC_NR(DRM_IOCTL_MODE_GETRESOURCES), 0xa0);
}

int main(void)
{
	check_input();
	check_drm();
	check_epoll();
	check_ioctl();
	if (!failures)
		printf("uapi: all checks passed\n");
	return failures;
}
