/*
 * Console output and the kernel log: everything printed goes to the serial
 * console and into a ring buffer that a later log reader (and a panic dump)
 * can read back.
 */
#include <kernel/arch.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>

/* lock keeps each kvprintf's output in one piece and protects the log. */
static struct spinlock lock = SPINLOCK_INIT;
static char klog_buf[KLOG_SIZE];
static uint64_t klog_len;
static volatile bool lock_broken;

static void klog_put(char c)
{
	klog_buf[klog_len % KLOG_SIZE] = c;
	klog_len++;
}

uint64_t klog_length(void)
{
	return klog_len;
}

size_t klog_read(uint64_t pos, char *buf, size_t size)
{
	uint64_t oldest = klog_len > KLOG_SIZE ? klog_len - KLOG_SIZE : 0;
	size_t n = 0;

	if (pos < oldest)
		pos = oldest;
	for (; pos < klog_len && n < size; pos++)
		buf[n++] = klog_buf[pos % KLOG_SIZE];
	return n;
}

void kvprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);

	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	unsigned long s = arch_irq_save();
	bool locked = !lock_broken;
	if (locked)
		spin_lock(&lock);
	for (int i = 0; i < n; i++) {
		if (buf[i] == '\n')
			arch_console_putc('\r');
		arch_console_putc(buf[i]);
		klog_put(buf[i]);
	}
	if (locked)
		spin_unlock(&lock);
	arch_irq_restore(s);
}

void printk_break_lock(void)
{
	lock_broken = true;
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
