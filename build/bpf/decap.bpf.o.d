/work/main/build/bpf/decap.bpf.o: /work/main/bpf/decap.bpf.c \
  /usr/include/linux/bpf.h /usr/include/linux/types.h \
  /usr/include/x86_64-linux-gnu/asm/types.h \
  /usr/include/asm-generic/types.h /usr/include/asm-generic/int-ll64.h \
  /usr/include/x86_64-linux-gnu/asm/bitsperlong.h \
  /usr/include/asm-generic/bitsperlong.h \
  /usr/include/linux/posix_types.h /usr/include/linux/stddef.h \
  /usr/include/x86_64-linux-gnu/asm/posix_types.h \
  /usr/include/x86_64-linux-gnu/asm/posix_types_64.h \
  /usr/include/asm-generic/posix_types.h /usr/include/linux/bpf_common.h \
  /usr/include/linux/if_ether.h /usr/include/linux/in.h \
  /usr/include/linux/libc-compat.h /usr/include/linux/socket.h \
  /usr/include/x86_64-linux-gnu/asm/byteorder.h \
  /usr/include/linux/byteorder/little_endian.h /usr/include/linux/swab.h \
  /usr/include/x86_64-linux-gnu/asm/swab.h /usr/include/linux/ip.h \
  /usr/include/linux/ipv6.h /usr/include/linux/in6.h \
  /usr/include/bpf/bpf_endian.h /usr/include/bpf/bpf_helpers.h \
  /usr/include/bpf/bpf_helper_defs.h /work/main/bpf/lib/addr.h \
  /work/main/bpf/lib/maps.h /work/main/include/stf/contract.h \
  /work/main/include/stf/addr_class.h /work/main/bpf/lib/counters.h
