# riscv64 cancellable system call: checks the cancel flag, then calls the
# translation layer: __syscall_cp_asm(&cancel, nr, u, v, w, x, y, z)
# (a0-a7) becomes __vr_linux_syscall(nr, u, v, w, x, y, z) (a0-a6).
.text
.global __cp_begin
.hidden __cp_begin
.global __cp_end
.hidden __cp_end
.global __cp_cancel
.hidden __cp_cancel
.hidden __cancel
.global __syscall_cp_asm
.hidden __syscall_cp_asm
.type __syscall_cp_asm, %function
__syscall_cp_asm:
	addi sp, sp, -16
	sd ra, 8(sp)
__cp_begin:
	lw t0, 0(a0)
	bnez t0, __cp_cancel
	mv a0, a1
	mv a1, a2
	mv a2, a3
	mv a3, a4
	mv a4, a5
	mv a5, a6
	mv a6, a7
	call __vr_linux_syscall
__cp_end:
	ld ra, 8(sp)
	addi sp, sp, 16
	ret
__cp_cancel:
	ld ra, 8(sp)
	addi sp, sp, 16
	tail __cancel
