/* initcheck's port I/O on x86_64 (the weak defaults in initcheck.c are for machines without ports). */
int initcheck_inb(unsigned port);
void initcheck_outb(unsigned port, unsigned v);

int initcheck_inb(unsigned port)
{
	unsigned char v;

	__asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"((unsigned short)port));
	return v;
}

void initcheck_outb(unsigned port, unsigned v)
{
	__asm__ volatile("outb %0, %w1" ::"a"((unsigned char)v), "Nd"((unsigned short)port));
}
