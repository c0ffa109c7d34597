/* x86_boot: from the long-mode entry to kmain, with the boot information in place. */
#include <kernel/boot.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <arch/cpu.h>
#include <arch/multiboot2.h>

extern char __kernel_phys_start[], __kernel_phys_end[];
extern uint64_t boot_pml4[512];

/* Masks both legacy 8259 PICs: the firmware may leave them routing to exception vectors. */
static void pic_disable(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
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
	kmain();
}
