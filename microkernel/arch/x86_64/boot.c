/* x86_boot: from the long-mode entry to kmain, with the boot information, clock and interrupt
 * controllers in place. */
#include <kernel/boot.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <arch/cpu.h>
#include <arch/multiboot2.h>

extern char __kernel_phys_start[], __kernel_phys_end[];
extern uint64_t boot_pml4[512];

/*
 * Moves both legacy 8259 PICs to vectors 0x20-0x2f, away from the exceptions
 * the firmware leaves them on, and masks them: a spurious IRQ 7 or 15 that a
 * masked PIC still raises then lands on an ignored vector.
 */
static void pic_disable(void)
{
	static const uint8_t init[][2] = {
		{0x20, 0x11}, {0xa0, 0x11},	/* ICW1: initialize, ICW4 follows */
		{0x21, 0x20}, {0xa1, 0x28},	/* ICW2: vector bases */
		{0x21, 0x04}, {0xa1, 0x02},	/* ICW3: the slave is on IRQ 2 */
		{0x21, 0x01}, {0xa1, 0x01},	/* ICW4: 8086 mode */
		{0x21, 0xff}, {0xa1, 0xff},	/* mask everything */
	};

	for (unsigned i = 0; i < ARRAY_SIZE(init); i++)
		outb(init[i][0], init[i][1]);
}

noreturn void x86_boot(uint32_t magic, uint32_t info)
{
	serial_init();
	idt_init();
	pic_disable();

	/* The identity mapping only served the switch to the higher half: user space goes there. */
	boot_pml4[0] = 0;
	write_cr3(read_cr3());

	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("not started by a multiboot2 loader (magic %#x)", magic);
	struct mb2_result mb;
	if (mb2_parse(phys_to_virt(info), info, BOOT_DIRECT_MAP_LIMIT - info, &mb) < 0)
		panic("malformed multiboot2 information at %#x", info);
	boot_info.firmware = mb.uefi ? "UEFI" : "BIOS";
	boot_add_region((paddr_t)__kernel_phys_start,
			(uint64_t)(__kernel_phys_end - __kernel_phys_start), MEM_KERNEL);
	acpi_init(mb.rsdp, mb.rsdp_len);
	paging_init();
	cpu_tables_load(0);	/* The boot CPU becomes cpus[0] (cpu_init). */
	hpet_init();
	lapic_init();
	ioapic_init();
	smp_reserve_trampoline();
	kmain();
}
