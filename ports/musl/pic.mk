# Read after musl's Makefile (make -f Makefile -f pic.mk pic): the
# position-independent objects of libc and the dynamic linker, as
# lib/libc_pic.a, from which posix/build.mk links libc.so with the POSIX
# translation layer (musl's own libc.so link would miss the seam's target).
pic: lib/libc_pic.a

lib/libc_pic.a: $(LOBJS) $(LDSO_OBJS)
	rm -f $@
	$(AR) rc $@ $(LOBJS) $(LDSO_OBJS)
	$(RANLIB) $@
