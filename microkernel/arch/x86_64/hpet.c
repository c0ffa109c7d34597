/* arch_time_ns from the HPET's main counter: one exact clock that every CPU reads alike. */
#include <kernel/panic.h>
#include <arch/cpu.h>

#define HPET_CAPS 0x00
#define HPET_PERIOD 0x04	/* femtoseconds per count, the capabilities' upper half */
#define HPET_CONFIG 0x10
#define HPET_COUNTER 0xf0
#define CAPS_COUNTER_64 (1u << 13)
#define CONFIG_ENABLE 1u
#define MAX_PERIOD_FS 100000000u	/* the specification's slowest counter: 10 MHz */

static volatile uint32_t *regs;

/* Nanoseconds per count, as a 32.32 fixed-point number: converting needs no division. */
static uint64_t ns_per_count;

void hpet_init(void)
{
	if (!platform.hpet)
		panic("no HPET: the kernel needs it as its clock");
	regs = mmio_map(platform.hpet);
	uint32_t caps = regs[HPET_CAPS / 4], period = regs[HPET_PERIOD / 4];
	/* A 32-bit counter would wrap within minutes; every HPET QEMU offers has 64 bits. */
	if (!(caps & CAPS_COUNTER_64) || period == 0 || period > MAX_PERIOD_FS)
		panic("HPET unusable (capabilities %#x, period %u fs)", caps, period);
	ns_per_count = ((uint64_t)period << 32) / 1000000;
	regs[HPET_CONFIG / 4] |= CONFIG_ENABLE;
}

/* Reads the 64-bit counter as two halves, again if the upper half moved in between. */
static uint64_t counter(void)
{
	uint32_t hi, lo;

	do {
		hi = regs[HPET_COUNTER / 4 + 1];
		lo = regs[HPET_COUNTER / 4];
	} while (hi != regs[HPET_COUNTER / 4 + 1]);
	return (uint64_t)hi << 32 | lo;
}

uint64_t arch_time_ns(void)
{
	return (uint64_t)(((unsigned __int128)counter() * ns_per_count) >> 32);
}

void delay_ns(uint64_t ns)
{
	uint64_t start = arch_time_ns();

	while (arch_time_ns() - start < ns)
		;
}
