/* Formatted output to the kernel console, with the kernel's own formatter. */
#include <veridian/vr.h>

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

int vr_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vr_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	vr_debug_write(buf, (size_t)n);
	return n;
}
