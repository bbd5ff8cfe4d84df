// sbx-test: static
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#define E(x) printf("%s -> %s\n", #x, (x) ? "ok" : strerrorname_np(errno)), errno = 0
int main(void) {
    char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    E(p != MAP_FAILED);
    printf("zero=%d\n", p[0] == 0 && p[8191] == 0);
    strcpy(p, "anon");
    E(mprotect(p, 4096, PROT_READ) == 0);
    printf("read after mprotect=%s\n", p);
    E(mprotect(p + 1, 4096, PROT_READ) == 0);
    char *q = mremap(p, 8192, 1 << 20, MREMAP_MAYMOVE);
    E(q != MAP_FAILED);
    printf("kept=%s\n", q);
    q[(1 << 20) - 1] = 7;
    E(madvise(q, 1 << 20, MADV_DONTNEED) == 0);
    printf("after dontneed=%d %d\n", q[0], q[(1 << 20) - 1]);
    E(munmap(q, 1 << 20) == 0);
    E(munmap(q + 1, 4096) == 0);
    E(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED);
    E(mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0) != MAP_FAILED);
    int fd = open("/etc/os-release", O_RDONLY);
    char *f = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    E(f != MAP_FAILED);
    printf("file starts=%.11s\n", f);
    f[0] = 'X';
    char c;
    pread(fd, &c, 1, 0);
    printf("file unchanged=%d\n", c == 'P');
    E(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) != MAP_FAILED);
    char *fixed = mmap((void *)0x200000000, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("fixed=%d\n", fixed == (void *)0x200000000);
    E(mmap((void *)0x200000000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != MAP_FAILED);
    void *b0 = sbrk(0);
    E(sbrk(1 << 16) == b0);
    memset(b0, 1, 1 << 16);
    E(sbrk(-(1 << 16)) != (void *)-1);
    E(sbrk(0) == b0);
    return 0;
}
