// sbx-test: static
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    long r = syscall(999);
    printf("999: %ld %s\n", r, strerrorname_np(errno));
    r = syscall(100000);
    printf("100000: %ld %s\n", r, strerrorname_np(errno));
    printf("getpid works: %d\n", getpid() > 0);
    return 0;
}
