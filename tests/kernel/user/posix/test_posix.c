/*
 * Runs the POSIX test programs (tests/posix/, C programs linked against
 * musl and the translation layer with tools/cc) that the root task carries:
 * each must exit with status 0. A program's own checks print on the console.
 */
#include "../../../../roottask/utest.h"

struct posix_program {
	const char *name;
	const char *image;
	uint64_t size;
};

extern const struct posix_program posix_programs[];

static int64_t run(const struct posix_program *prog)
{
	const char *const argv[] = {prog->name, "veridian", NULL};
	const char *const envp[] = {"VERIDIAN_TEST=posix", "PATH=/bin", NULL};
	struct vr_image img = {0, prog->size};
	handle_t process;
	int64_t err = vr_vmo_create(prog->size, 0, &img.vmo);

	if (!err)
		err = vr_vmo_write(img.vmo, prog->image, 0, prog->size);
	if (!err)
		err = vr_exec(&img, argv, envp, &process);
	if (img.vmo)
		vr_handle_close(img.vmo);
	return err ? err : reap(process);
}

UTEST(posix_programs)
{
	int n = 0;

	for (const struct posix_program *p = posix_programs; p->name; p++, n++) {
		int64_t status = run(p);
		vr_printf("posix: %s exited with status %ld\n", p->name, status);
		UCHECK(status == 0, "POSIX program %s: status %ld", p->name, status);
	}
	UCHECK(n > 0, "no POSIX programs");
	return NULL;
}
