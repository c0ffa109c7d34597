/*
 * kvsnprintf: the kernel's printf engine. Supports the C99 conversions the
 * kernel uses (d i u x X o p s c %) with flags "-0 +#", width, precision and
 * the length modifiers hh h l ll z t j. Always NUL-terminates when size > 0
 * and returns the length the full output would have had, like C's vsnprintf.
 */
#include <kernel/printk.h>
#include <kernel/string.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

enum {
	F_LEFT = 1,
	F_ZERO = 2,
	F_PLUS = 4,
	F_SPACE = 8,
	F_ALT = 16,
	F_UPPER = 32,
};

static void put_number(struct out *o, uint64_t v, bool neg, unsigned base, int flags, int width,
		       int prec)
{
	const char *digits = (flags & F_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	const char *prefix = "";

	while (v) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	if (prec < 0)
		prec = 1;
	else
		flags &= ~F_ZERO;
	int zeros = prec > n ? prec - n : 0;

	if (neg)
		prefix = "-";
	else if (flags & F_PLUS)
		prefix = "+";
	else if (flags & F_SPACE)
		prefix = " ";
	if ((flags & F_ALT) && base == 16 && n > 0)
		prefix = (flags & F_UPPER) ? "0X" : "0x";
	if ((flags & F_ALT) && base == 8 && zeros == 0)
		zeros = 1;

	int plen = (int)strlen(prefix);
	int total = plen + zeros + n;

	if (!(flags & F_LEFT) && !(flags & F_ZERO))
		pad(o, ' ', width - total);
	for (const char *p = prefix; *p; p++)
		put(o, *p);
	if (!(flags & F_LEFT) && (flags & F_ZERO))
		pad(o, '0', width - total);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (flags & F_LEFT)
		pad(o, ' ', width - total);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		int flags = 0, width = 0, prec = -1, lng = 0;

		for (;; fmt++) {
			char c = fmt[1];
			if (c == '-')
				flags |= F_LEFT;
			else if (c == '0')
				flags |= F_ZERO;
			else if (c == '+')
				flags |= F_PLUS;
			else if (c == ' ')
				flags |= F_SPACE;
			else if (c == '#')
				flags |= F_ALT;
			else
				break;
		}
		fmt++;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		/* lng: -2 hh, -1 h, 0 int, 1 long, 2 long long (z, t and j are 64-bit here). */
		for (;; fmt++) {
			if (*fmt == 'h')
				lng--;
			else if (*fmt == 'l' || *fmt == 'z' || *fmt == 't' || *fmt == 'j')
				lng = lng < 1 ? 1 : 2;
			else
				break;
		}
		if (*fmt == '\0')
			break;

		uint64_t u;
		int64_t s;
		switch (*fmt) {
		case 'd':
		case 'i':
			if (lng >= 1)
				s = va_arg(ap, int64_t);
			else if (lng == -1)
				s = (short)va_arg(ap, int);
			else if (lng <= -2)
				s = (signed char)va_arg(ap, int);
			else
				s = va_arg(ap, int);
			u = s < 0 ? -(uint64_t)s : (uint64_t)s;
			put_number(&o, u, s < 0, 10, flags, width, prec);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (lng >= 1)
				u = va_arg(ap, uint64_t);
			else if (lng == -1)
				u = (unsigned short)va_arg(ap, unsigned);
			else if (lng <= -2)
				u = (unsigned char)va_arg(ap, unsigned);
			else
				u = va_arg(ap, unsigned);
			if (*fmt == 'X')
				flags |= F_UPPER;
			put_number(&o, u, false, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
				   flags & ~(F_PLUS | F_SPACE), width, prec);
			break;
		case 'p':
			put_number(&o, (uintptr_t)va_arg(ap, void *), false, 16, F_ALT, width, -1);
			break;
		case 'c':
			if (!(flags & F_LEFT))
				pad(&o, ' ', width - 1);
			put(&o, (char)va_arg(ap, int));
			if (flags & F_LEFT)
				pad(&o, ' ', width - 1);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			int len = (int)strnlen(str, prec < 0 ? (size_t)-1 : (size_t)prec);
			if (!(flags & F_LEFT))
				pad(&o, ' ', width - len);
			for (int i = 0; i < len; i++)
				put(&o, str[i]);
			if (flags & F_LEFT)
				pad(&o, ' ', width - len);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default:
			/* An unknown conversion is printed as written, so the mistake is visible. */
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
