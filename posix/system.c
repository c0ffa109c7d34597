/*
 * What a process asks about the system: uname, and random bytes.
 *
 * getrandom's bytes come from a generator in the process (xoshiro256**),
 * seeded per thread from AT_RANDOM, the clock and the cycle counter. That is
 * not cryptographic: the system has no entropy source yet (virtio-rng and
 * RDRAND/RNDR come with the drivers), and getrandom says nothing about it to
 * its caller, exactly as /dev/urandom does not.
 */
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <veridian/cycles_arch.h>

#include "posix.h"

#define RELEASE "0.1.0"
#define NODENAME "veridian"

long px_uname(const long *args)
{
	struct utsname *u = (struct utsname *)args[0];

	if (!u)
		return -EFAULT;
	memset(u, 0, sizeof(*u));
	strcpy(u->sysname, "VeridianOS");
	strcpy(u->nodename, NODENAME);
	strcpy(u->release, RELEASE);
	strcpy(u->version, "#1 SMP");
	strcpy(u->machine, VR_ARCH);
	return 0;
}

static __thread uint64_t state[4];

static uint64_t rotl(uint64_t x, int k)
{
	return x << k | x >> (64 - k);
}

/* splitmix64, to spread a few seed words over the whole state. */
static uint64_t mix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void seed(void)
{
	uint64_t ns = 0, at[2] = {0, 0};

	vr_clock_get(&ns);
	if (px_at_random)
		memcpy(at, px_at_random, sizeof(at));
	uint64_t x = at[0] ^ rotl(at[1], 17) ^ ns ^ rotl(vr_cycles(), 32) ^ (uintptr_t)state;
	for (int i = 0; i < 4; i++)
		state[i] = mix(&x);
}

static uint64_t next(void)
{
	uint64_t r = rotl(state[1] * 5, 7) * 9, t = state[1] << 17;

	state[2] ^= state[0];
	state[3] ^= state[1];
	state[1] ^= state[2];
	state[0] ^= state[3];
	state[2] ^= t;
	state[3] = rotl(state[3], 45);
	return r;
}

long px_getrandom(const long *args)
{
	unsigned char *buf = (unsigned char *)args[0];
	size_t len = (size_t)args[1];
	unsigned flags = (unsigned)args[2];

	if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if (len > 33554431)	/* Linux's most per call */
		len = 33554431;
	if (len && !buf)
		return -EFAULT;
	if (!(state[0] | state[1] | state[2] | state[3]))
		seed();
	for (size_t i = 0; i < len; i += 8) {
		uint64_t r = next();
		memcpy(buf + i, &r, len - i < 8 ? len - i : 8);
	}
	return (long)len;
}
