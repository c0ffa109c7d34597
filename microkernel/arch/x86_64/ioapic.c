/*
 * Device interrupt lines: the GSIs of the I/O APICs the MADT lists. Line n
 * arrives on vector VEC_LINE_BASE + n; a line that fires is masked until
 * arch_irq_line_ack(), so a driver in user space handles it at its own pace.
 */
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/spinlock.h>
#include <arch/cpu.h>

#define IOREGSEL 0x00
#define IOWIN 0x10
#define REG_VERSION 0x01
#define REG_REDIRECT 0x10	/* two registers per pin: low, then high (destination) */
#define REDIRECT_ACTIVE_LOW (1u << 13)
#define REDIRECT_LEVEL (1u << 15)
#define REDIRECT_MASKED (1u << 16)

/* MPS INTI flags of the MADT's overrides; 0 in a field means "as the bus says". */
#define INTI_POLARITY 0x3
#define INTI_HIGH 0x1
#define INTI_LOW 0x3
#define INTI_TRIGGER 0xc
#define INTI_EDGE 0x4
#define INTI_LEVEL 0xc

enum line_op { LINE_MASK, LINE_UNMASK, LINE_DISABLE };

struct ioapic {
	volatile uint32_t *regs;
	unsigned gsi_base, npins;
};

/* lock serializes the index/data register pairs and the enabled[] flags. */
static struct spinlock lock = SPINLOCK_INIT;
static struct ioapic ioapics[MAX_IOAPICS];
static unsigned nlines;
static bool enabled[MAX_LINES];

static uint32_t rd(struct ioapic *a, unsigned reg)
{
	a->regs[IOREGSEL / 4] = reg;
	return a->regs[IOWIN / 4];
}

static void wr(struct ioapic *a, unsigned reg, uint32_t v)
{
	a->regs[IOREGSEL / 4] = reg;
	a->regs[IOWIN / 4] = v;
}

/* Finds every I/O APIC's size and masks all its pins. */
void ioapic_init(void)
{
	for (unsigned i = 0; i < platform.nioapics; i++) {
		struct ioapic *a = &ioapics[i];
		a->regs = mmio_map(platform.ioapics[i].base);
		a->gsi_base = platform.ioapics[i].gsi_base;
		a->npins = (rd(a, REG_VERSION) >> 16 & 0xff) + 1;
		for (unsigned p = 0; p < a->npins; p++)
			wr(a, REG_REDIRECT + 2 * p, REDIRECT_MASKED);
		/* Lines beyond the vectors set aside for them stay masked for good. */
		nlines = MAX(nlines, MIN(a->gsi_base + a->npins, MAX_LINES));
	}
}

unsigned arch_irq_line_count(void)
{
	return nlines;
}

/* The I/O APIC that owns @line and the line's pin on it, or NULL. */
static struct ioapic *pin_of(unsigned line, unsigned *pin)
{
	for (unsigned i = 0; line < nlines && i < platform.nioapics; i++) {
		if (line >= ioapics[i].gsi_base && line - ioapics[i].gsi_base < ioapics[i].npins) {
			*pin = line - ioapics[i].gsi_base;
			return &ioapics[i];
		}
	}
	return NULL;
}

unsigned isa_irq_line(unsigned irq)
{
	for (unsigned i = 0; i < platform.noverrides; i++)
		if (platform.overrides[i].isa_irq == irq)
			return platform.overrides[i].gsi;
	return irq;
}

/* Polarity and trigger: an override's, else ISA's (high, edge) or PCI's (low, level) by number. */
static uint32_t line_mode(unsigned line)
{
	unsigned flags = line < 16 ? INTI_HIGH | INTI_EDGE : INTI_LOW | INTI_LEVEL;

	for (unsigned i = 0; i < platform.noverrides; i++) {
		unsigned f = platform.overrides[i].flags;
		if (platform.overrides[i].gsi == line)
			flags = (f & INTI_POLARITY ? f & INTI_POLARITY : INTI_HIGH) |
				(f & INTI_TRIGGER ? f & INTI_TRIGGER : INTI_EDGE);
	}
	return ((flags & INTI_POLARITY) == INTI_LOW ? REDIRECT_ACTIVE_LOW : 0) |
	       ((flags & INTI_TRIGGER) == INTI_LEVEL ? REDIRECT_LEVEL : 0);
}

int arch_irq_line_enable(unsigned line, struct cpu *target)
{
	unsigned pin;
	struct ioapic *a = pin_of(line, &pin);

	if (!a || target->arch_id > 0xff)
		return -EINVAL;
	unsigned long s = spin_lock_irqsave(&lock);
	wr(a, REG_REDIRECT + 2 * pin + 1, (uint32_t)target->arch_id << 24);
	wr(a, REG_REDIRECT + 2 * pin, line_mode(line) | (VEC_LINE_BASE + line));
	enabled[line] = true;
	spin_unlock_irqrestore(&lock, s);
	return 0;
}

/* Masks or unmasks @line; a disabled line stays masked whatever ack says. */
static void update(unsigned line, enum line_op op)
{
	unsigned pin;
	struct ioapic *a = pin_of(line, &pin);

	if (!a)
		return;
	unsigned long s = spin_lock_irqsave(&lock);
	if (op == LINE_DISABLE)
		enabled[line] = false;
	uint32_t mask = op == LINE_UNMASK && enabled[line] ? 0 : REDIRECT_MASKED;
	uint32_t lo = rd(a, REG_REDIRECT + 2 * pin);
	wr(a, REG_REDIRECT + 2 * pin, (lo & ~REDIRECT_MASKED) | mask);
	spin_unlock_irqrestore(&lock, s);
}

void arch_irq_line_disable(unsigned line)
{
	update(line, LINE_DISABLE);
}

void arch_irq_line_ack(unsigned line)
{
	update(line, LINE_UNMASK);
}

/* Masking before the EOI keeps a level-triggered line that is still asserted from firing again. */
void ioapic_line_fired(unsigned line)
{
	update(line, LINE_MASK);
	lapic_eoi();
	irq_line_handler(line);
}
