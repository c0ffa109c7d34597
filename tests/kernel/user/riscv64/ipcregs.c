/*
 * riscv64's message calls and the registers (libveridian's ipc_arch.h): a
 * client and a server fill every register they may (all but sp, tp and the
 * handle in a0) and the F/D registers with values of their own, and call and
 * answer each other thousands of times. After every call each side checks
 * that a0 is its status (0 for the client, the badge for the server), that
 * the words the tag sends arrived and every other message register came as
 * zero, that a1 and t3-t6 (which a message call may clobber) hold zero or
 * the thread's own value - never a kernel value or the other side's - and
 * that every other register and f0-f31 kept its value. The round trips take
 * the fast path in assembly (ipc_fast.S) when both sides were parked there,
 * and the paths in C otherwise; the server runs as another process and as
 * another thread of the same one.
 */
#include "../../../../roottask/utest.h"

#define STR_(x) #x
#define STR(x) STR_(x)

#define BADGE 0x77
#define ROUNDS 2000
#define CLIENT 0xc1
#define SERVER 0x5e
#define TAG_ASK "((1 << 32) | 3)"    /* VR_TAG(1, 3) */
#define TAG_ANSWER "((2 << 32) | 2)" /* VR_TAG(2, 2) */
#define TAG_STOP "(99 << 32)"

/* Every register a side fills: all but sp, tp and a0. */
#define FILLED                                                                                     \
	"1, 3, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, "    \
	"27, 28, 29, 30, 31"
/* Those a message call must leave alone. */
#define KEPT "1, 3, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27"
/* Those it may clobber (besides the message): zero or the thread's own. */
#define CLOBBERED "11, 28, 29, 30, 31"
#define FPRS "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"

/* Register x<n>'s value on side \side: n << 40 | side, with a0 as the scratch. */
#define FILL(side) ".irp n, " FILLED "\n	li x\\n, (\\n << 40) | " side "\n.endr\n"
#define FILL_FP(side)                                                                              \
	".irp n, " FPRS "\n	li a0, (\\n << 48) | " side "\n	fmv.d.x f\\n, a0\n.endr\n"
/* The checks jump to fail<n> (x<n> wrong, 100 + n: f<n> wrong) with a1 free to use. */
#define CHECK(side, p)                                                                             \
	".irp n, " CLOBBERED "\n	beqz x\\n, 9f\n	li a0, (\\n << 40) | " side                \
	"\n	bne x\\n, a0, " p "fail\\n\n9:\n.endr\n"                                           \
	".irp n, " KEPT "\n	li a0, (\\n << 40) | " side "\n	bne x\\n, a0, " p                  \
	"fail\\n\n.endr\n"                                                                         \
	".irp n, " FPRS "\n	fmv.x.d a0, f\\n\n	li a1, (\\n << 48) | " side                \
	"\n	bne a0, a1, " p "failf\\n\n.endr\n"
#define SAVE                                                                                       \
	"	addi sp, sp, -128\n	sd ra, 0(sp)\n	sd gp, 8(sp)\n"                                       \
	".irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11\n	sd s\\n, 16 + 8 * \\n(sp)\n.endr\n"
#define RESTORE                                                                                    \
	"	ld ra, 0(sp)\n	ld gp, 8(sp)\n"                                                           \
	".irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11\n	ld s\\n, 16 + 8 * \\n(sp)\n.endr\n"        \
	"	addi sp, sp, 128\n	ret\n"
/* The failure exits of one function: a0 = the register's number (f<n>: 100 + n). */
#define FAILS(p, out)                                                                              \
	".irp n, 1, 3, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, "    \
	"25, 26, 27, 28, 29, 30, 31\n" p "fail\\n:\n	li a0, \\n\n	j " out "\n.endr\n"        \
	".irp n, " FPRS "\n" p "failf\\n:\n	li a0, 100 + \\n\n	j " out "\n.endr\n"

uint64_t ipcregs_client(uint64_t ep, uint64_t rounds);
uint64_t ipcregs_server(uint64_t ep);

/*
 * ipcregs_client(ep, rounds): returns 0, a register's number, or 200 when a
 * call failed. It asks with 3 words (a6, t0-t2 hold its own values, which
 * must reach the server as zeros) and wants the server's 2 back.
 */
__asm__(
    ".pushsection .text.ipcregs_client, \"ax\"\n"
    ".globl ipcregs_client\n"
    ".balign 4\n"
    "ipcregs_client:\n" SAVE "	sd a0, 112(sp)\n"
    "	sd a1, 120(sp)\n" FILL_FP(STR(CLIENT)) "1:\n" FILL(STR(
	CLIENT)) "	li a2, " TAG_ASK "\n"
		 "	li a3, 0x1001\n"
		 "	li a4, 0x1002\n"
		 "	li a5, 0x1003\n"
		 "	li a7, (1 << 63) | " STR(
		     VR_SYS_IPC_CALL) "\n"
				      "	ld a0, 112(sp)\n"
				      "	ecall\n"
				      "	bnez a0, 2f\n" CHECK(
					  STR(CLIENT),
					  "c") "	li a0, " TAG_ANSWER
					       "\n	bne a2, a0, cfail12\n"
					       "	li a0, 0x2001\n	bne a3, a0, cfail13\n"
					       "	li a0, 0x2002\n	bne a4, a0, cfail14\n"
					       "	bnez a5, cfail15\n	bnez a6, cfail16\n"
					       "	bnez t0, cfail5\n	bnez t1, "
					       "cfail6\n	bnez t2, cfail7\n"
					       "	li a0, " STR(
						   VR_SYS_IPC_CALL) "\n	bne a7, a0, cfail17\n"
								    "	ld a0, 120(sp)\n"
								    "	addi a0, a0, -1\n"
								    "	sd a0, 120(sp)\n"
								    "	bnez a0, 1b\n"
								    "	j 3f\n"
								    "2:	li a0, 200\n"
								    "	j 3f\n" FAILS(
									"c", "3f") "3:\n" RESTORE
										   ".popsection\n");

/*
 * ipcregs_server(ep): receives, and answers each ask with 2 words (a5, a6,
 * t0-t2 hold its own values, which must reach the client as zeros) until
 * TAG_STOP; returns 0, a register's number, or 200 + the first error of a
 * receive, 300 for a wrong badge.
 */
__asm__(
    ".pushsection .text.ipcregs_server, \"ax\"\n"
    ".globl ipcregs_server\n"
    ".balign 4\n"
    "ipcregs_server:\n" SAVE
    "	sd a0, 112(sp)\n" FILL_FP(STR(SERVER)) FILL(STR(SERVER)) "	li a7, (1 << 63) | " STR(
	VR_SYS_IPC_RECV) "\n"
			 "	ld a0, 112(sp)\n"
			 "	ecall\n"
			 "1:	sd a0, 120(sp)\n"
			 "	bltz a0, 2f\n" CHECK(STR(SERVER), "s") "	li a0, " STR(
			     VR_SYS_IPC_RECV) "\n	beq a7, a0, 4f\n"
					      "	li a0, " STR(
						  VR_SYS_IPC_REPLY_RECV) "\n	bne a7, a0, "
									 "sfail17\n"
									 "4:	li a0, " TAG_STOP
									 "\n	beq a2, a0, 5f\n"
									 "	li a0, " TAG_ASK
									 "\n	bne a2, a0, "
									 "sfail12\n"
									 "	li a0, 0x1001\n	"
									 "bne a3, a0, sfail13\n"
									 "	li a0, 0x1002\n	"
									 "bne a4, a0, sfail14\n"
									 "	li a0, 0x1003\n	"
									 "bne a5, a0, sfail15\n"
									 "	bnez a6, sfail16\n"
									 "	bnez t0, "
									 "sfail5\n	bnez t1, "
									 "sfail6\n	bnez t2, "
									 "sfail7\n"
									 "	ld a0, 120(sp)\n"
									 "	li a1, " STR(
									     BADGE) "\n"
										    "	bne a0, "
										    "a1, 6f\n" FILL(STR(
											SERVER)) "	li a2, " TAG_ANSWER
												 "\n"
												 "	li a3, 0x2001\n"
												 "	li a4, 0x2002\n"
												 "	li a7, (1 << 63) | " STR(
												     VR_SYS_IPC_REPLY_RECV) "\n"
															    "	ld a0, 112(sp)\n"
															    "	ecall\n"
															    "	j 1b\n"
															    "2:	li a1, 200\n"
															    "	sub a0, a1, a0\n"
															    "	j 3f\n"
															    "5:	li a0, 0\n"
															    "	j 3f\n"
															    "6:	li a0, 300\n"
															    "	j 3f\n" FAILS(
																"s",
																"3f") "3:\n" RESTORE
																      ".popsection\n");

static uint64_t server_thread(uint64_t ep)
{
	return ipcregs_server(ep);
}

/* A round of ROUNDS calls through a badged handle of @ep; the server then stops. */
static const char *rounds(handle_t badged, const char *server, int64_t (*stop)(uint64_t),
			  uint64_t arg)
{
	uint64_t m[8] = {VR_TAG(99, 0)};
	uint64_t bad = ipcregs_client(badged, ROUNDS);

	vr_ipc_call(badged, m); /* answered by no one: the server returns */
	int64_t st = stop(arg);
	UCHECK(bad == 0, "%s: the client found register %lu wrong (f: 100 + n, 200: a call failed)",
	       server, bad);
	UCHECK(st == 0,
	       "%s: the server found register %ld wrong (200 + n: receive error -n, 300: badge)",
	       server, st);
	return NULL;
}

static int64_t reap_process(uint64_t proc)
{
	return reap(proc);
}

static int64_t join_thread(uint64_t t)
{
	uint64_t st = ~0ull;

	if (vr_thread_wait(t, &st))
		return -1;
	vr_handle_close(t);
	return (int64_t)st;
}

UTEST(ipc_message_call_registers_riscv64)
{
	handle_t ep, badged, proc, given, t;
	const char *why;

	UCHECK(vr_endpoint_create(&ep) == 0, "endpoint");
	UCHECK(vr_endpoint_mint(ep, BADGE, VR_RIGHT_SEND, &badged) == 0, "mint");
	UCHECK(vr_spawn_prepare(&vr_self_image, &proc) == 0 &&
		   vr_process_handle_give(proc, ep, VR_RIGHT_RECV, &given) == 0 &&
		   vr_spawn_start(proc, ipcregs_server, given) == 0,
	       "server process");
	why = rounds(badged, "another process", reap_process, proc);
	if (!why) {
		UCHECK(vr_thread_create_on(server_thread, ep, -1, &t) == 0 &&
			   vr_thread_start(t) == 0,
		       "server thread");
		why = rounds(badged, "another thread", join_thread, t);
	}
	vr_handle_close(badged);
	vr_handle_close(ep);
	return why;
}
