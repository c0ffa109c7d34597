/* The local APIC (xAPIC, MMIO): each CPU's tick, inter-processor interrupts, end of interrupt. */
#include <kernel/cpu.h>
#include <arch/cpu.h>

#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3e0

#define SVR_ENABLE 0x100
#define ICR_INIT 0x500
#define ICR_STARTUP 0x600
#define ICR_PENDING (1u << 12)
#define ICR_ASSERT (1u << 14)
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define DIVIDE_BY_16 0x3

/* Every CPU sees its own local APIC at the same address. */
static volatile uint32_t *regs;

/* Timer counts per tick; measured once, the timers of all CPUs share one clock. */
static uint32_t counts_per_tick;

static uint32_t rd(unsigned reg)
{
	return regs[reg / 4];
}

static void wr(unsigned reg, uint32_t v)
{
	regs[reg / 4] = v;
}

/* Software-enables this CPU's local APIC, accepting interrupts of every priority. */
void lapic_init(void)
{
	if (!regs)
		regs = mmio_map(platform.lapic);
	wr(LAPIC_TPR, 0);
	wr(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

void lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

/* Lets the timer count down from its maximum for 10 ms of HPET time. */
static uint32_t calibrate(void)
{
	wr(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
	wr(LAPIC_LVT_TIMER, LVT_MASKED);
	wr(LAPIC_TIMER_INITIAL, UINT32_MAX);
	uint64_t start = arch_time_ns(), now;
	while ((now = arch_time_ns()) - start < 10000000)
		;
	uint64_t counted = UINT32_MAX - rd(LAPIC_TIMER_CURRENT);
	wr(LAPIC_TIMER_INITIAL, 0);
	return (uint32_t)(counted * (1000000000 / TICK_HZ) / (now - start));
}

void arch_timer_init(void)
{
	if (!counts_per_tick)
		counts_per_tick = calibrate();
	wr(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
	wr(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
	wr(LAPIC_TIMER_INITIAL, counts_per_tick);
}

/* The two ICR writes must not interleave with another IPI sent from an interrupt handler. */
static void send_icr(uint32_t apic_id, uint32_t command)
{
	unsigned long s = arch_irq_save();

	while (rd(LAPIC_ICR_LO) & ICR_PENDING)
		;
	wr(LAPIC_ICR_HI, apic_id << 24);
	wr(LAPIC_ICR_LO, command);
	arch_irq_restore(s);
}

void arch_send_ipi(struct cpu *target)
{
	send_icr((uint32_t)target->arch_id, ICR_ASSERT | VEC_IPI);
}

/* The universal start-up sequence of the Intel MP specification: INIT, 10 ms, STARTUP twice. */
void lapic_start_cpu(uint32_t apic_id, paddr_t entry)
{
	send_icr(apic_id, ICR_INIT | ICR_ASSERT);
	delay_ns(10000000);
	for (int i = 0; i < 2; i++) {
		send_icr(apic_id, ICR_STARTUP | (uint32_t)(entry >> 12));
		delay_ns(200000);
	}
}
