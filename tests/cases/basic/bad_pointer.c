// sbx-test: static
// Bad pointers are EFAULT, never a crash of the kernel; the program goes on.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
static void show(const char *what, long r) {
    printf("%s: %ld %s\n", what, r, r < 0 ? strerrorname_np(errno) : "");
}
int main(void) {
    show("write", syscall(SYS_write, 1, (void *)1, 10));
    show("read", syscall(SYS_read, 0, (void *)8, 10));
    show("stat", syscall(SYS_stat, (void *)16, (void *)16));
    show("openat", syscall(SYS_openat, AT_FDCWD, (void *)0x1000, O_RDONLY));
    show("clock_gettime", syscall(SYS_clock_gettime, 0, (void *)24));
    show("uname", syscall(SYS_uname, (void *)0xffffffffffff0000UL));
    show("write_zero_len_null", syscall(SYS_write, 1, NULL, 0));
    printf("still alive\n");
    return 0;
}
