/* Time and the tick: the generic timer's virtual counter and the EL1 virtual timer. */
#include <kernel/cpu.h>

#include "aarch64.h"

#define CNTV_CTL_ENABLE 1
#define NSEC_PER_SEC 1000000000ull

/* The virtual timer's INTID: PPI 11 unless the device tree's /timer node says otherwise. */
unsigned timer_intid = 27;

static uint64_t counter(void)
{
	/* Without the barrier the read may happen before earlier instructions. */
	isb();
	return read_sysreg(cntvct_el0);
}

/* The counter is system-wide, so every CPU reads the same clock. */
uint64_t arch_time_ns(void)
{
	uint64_t c = counter(), freq = read_sysreg(cntfrq_el0);

	/* In two parts, so that nothing overflows 64 bits for any plausible frequency. */
	return c / freq * NSEC_PER_SEC + c % freq * NSEC_PER_SEC / freq;
}

/* Sets the next tick one period from now: late ticks are not made up for. */
static void rearm(void)
{
	write_sysreg(cntv_cval_el0, counter() + read_sysreg(cntfrq_el0) / TICK_HZ);
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	isb();
}

void arch_timer_init(void)
{
	rearm();
	gic_enable_private(timer_intid);
}

/* Rearming first makes the timer drop its (level) interrupt before the GIC deactivates it. */
void timer_handle(void)
{
	rearm();
	timer_tick();
}
