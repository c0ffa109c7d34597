// aarch64 cancellable system call: checks the cancel flag, then calls the
// translation layer: __syscall_cp_asm(&cancel, nr, u, v, w, x, y, z)
// (x0-x7) becomes __vr_linux_syscall(nr, u, v, w, x, y, z) (x0-x6).
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
.type __syscall_cp_asm,%function
__syscall_cp_asm:
	stp x29,x30,[sp,#-16]!
	mov x29,sp
__cp_begin:
	ldr w0,[x0]
	cbnz w0,__cp_cancel
	mov x0,x1
	mov x1,x2
	mov x2,x3
	mov x3,x4
	mov x4,x5
	mov x5,x6
	mov x6,x7
	bl __vr_linux_syscall
__cp_end:
	ldp x29,x30,[sp],#16
	ret
__cp_cancel:
	ldp x29,x30,[sp],#16
	b __cancel
