// memfd_create: flags, names, the file it makes (mode, link count, /proc name,
// reopening), and seals: F_ADD_SEALS/F_GET_SEALS with SEAL, SHRINK, GROW, WRITE,
// FUTURE_WRITE and EXEC, and what each refuses (writes, truncation, mappings).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 8
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x10
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x20
#endif

#define P(expr)                                                                              \
    do {                                                                                     \
        errno = 0;                                                                           \
        long r_ = (long)(expr);                                                              \
        int e_ = errno;                                                                      \
        printf("%-52s = %ld %s\n", #expr, r_, r_ < 0 ? strerrorname_np(e_) : "");             \
    } while (0)
#define OPENS(expr)                                                                          \
    do {                                                                                     \
        errno = 0;                                                                           \
        int fd_ = (expr);                                                                    \
        int e_ = errno;                                                                      \
        printf("%-52s : %s\n", #expr, fd_ >= 0 ? "ok" : strerrorname_np(e_));                \
        if (fd_ >= 0)                                                                        \
            close(fd_);                                                                      \
    } while (0)

static char L[64];
static const char *proc(int fd) {
    snprintf(L, sizeof L, "/proc/self/fd/%d", fd);
    return L;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int m = memfd_create("hello", 0);
    char l[128] = {0};
    readlink(proc(m), l, sizeof l - 1);
    printf("link: %s\n", l);
    struct stat st;
    fstat(m, &st);
    printf("regular %d mode %o nlink %ld size %ld\n", S_ISREG(st.st_mode), st.st_mode & 07777, (long)st.st_nlink,
           (long)st.st_size);
    printf("cloexec %d, flags %#x\n", fcntl(m, F_GETFD), fcntl(m, F_GETFL) & ~0100000);
    P(fcntl(m, F_GET_SEALS));
    P(fcntl(m, F_ADD_SEALS, F_SEAL_WRITE));
    P(write(m, "0123456789", 10));
    P(ftruncate(m, 4096));
    // Reopening through /proc shares the file.
    int again = open(proc(m), O_RDWR);
    char buf[16] = {0};
    P(pread(again, buf, 10, 0));
    printf("reopened reads %s\n", buf);
    close(again);

    int s = memfd_create("s", MFD_ALLOW_SEALING | MFD_CLOEXEC);
    printf("cloexec %d\n", fcntl(s, F_GETFD));
    P(fcntl(s, F_GET_SEALS));
    P(write(s, "0123456789", 10));
    P(fcntl(s, F_ADD_SEALS, F_SEAL_SHRINK));
    P(ftruncate(s, 5));
    P(ftruncate(s, 20));
    P(fcntl(s, F_GET_SEALS));
    P(fcntl(s, F_ADD_SEALS, F_SEAL_GROW));
    P(ftruncate(s, 30));
    P(pwrite(s, "ab", 2, 19));
    P(pwrite(s, "ab", 2, 18));
    P(fallocate(s, 0, 0, 100));
    P(fcntl(s, F_ADD_SEALS, 0x100));
    void *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
    printf("writable shared map: %d\n", w != MAP_FAILED);
    P(fcntl(s, F_ADD_SEALS, F_SEAL_WRITE));
    munmap(w, 4096);
    P(fcntl(s, F_ADD_SEALS, F_SEAL_WRITE));
    P(write(s, "x", 1));
    P(pwrite(s, "x", 1, 0));
    errno = 0;
    void *q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
    int e = errno;
    printf("writable shared map after the seal: %d %s\n", q != MAP_FAILED, q == MAP_FAILED ? strerrorname_np(e) : "");
    q = mmap(NULL, 4096, PROT_READ, MAP_SHARED, s, 0);
    printf("read-only shared map: %d first byte %c\n", q != MAP_FAILED, q != MAP_FAILED ? *(char *)q : '?');
    q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, s, 0);
    printf("private writable map: %d\n", q != MAP_FAILED);
    P(fcntl(s, F_ADD_SEALS, F_SEAL_SEAL));
    P(fcntl(s, F_ADD_SEALS, F_SEAL_SHRINK));
    P(fcntl(s, F_GET_SEALS));
    int ro = open(proc(s), O_RDONLY);
    P(fcntl(ro, F_GET_SEALS));
    close(ro);
    int t = memfd_create("t", MFD_ALLOW_SEALING);
    ro = open(proc(t), O_RDONLY);
    P(fcntl(ro, F_ADD_SEALS, F_SEAL_SHRINK));
    close(ro);
    int fw = memfd_create("fw", MFD_ALLOW_SEALING);
    P(fcntl(fw, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
    P(write(fw, "a", 1));
    P(ftruncate(fw, 10));
    P(fcntl(fw, F_GET_SEALS));

    // Flags and names.
    OPENS(memfd_create("x", 0x100));
    OPENS(memfd_create("x", MFD_EXEC | MFD_NOEXEC_SEAL));
    char name[300];
    memset(name, 'a', sizeof name);
    name[249] = 0;
    OPENS(memfd_create(name, 0));
    name[249] = 'a';
    name[250] = 0;
    OPENS(memfd_create(name, 0));
    OPENS(memfd_create("", 0));
    OPENS(memfd_create((char *)8, 0));
    int ne = memfd_create("ne", MFD_NOEXEC_SEAL);
    fstat(ne, &st);
    printf("noexec mode %o\n", st.st_mode & 07777);
    P(fcntl(ne, F_GET_SEALS));
    P(fchmod(ne, 0777));
    P(fchmod(ne, 0600));
    P(fcntl(ne, F_ADD_SEALS, F_SEAL_WRITE));
    int ex = memfd_create("ex", MFD_EXEC);
    fstat(ex, &st);
    printf("exec mode %o\n", st.st_mode & 07777);

    // Other files: tmpfs files start sealed; a pipe has no seals at all.
    char path[64];
    snprintf(path, sizeof path, "/dev/shm/sbx-memfd-%d", getpid());
    int sh = open(path, O_CREAT | O_RDWR, 0600);
    P(fcntl(sh, F_GET_SEALS));
    P(fcntl(sh, F_ADD_SEALS, F_SEAL_WRITE));
    unlink(path);
    int p[2];
    pipe(p);
    P(fcntl(p[0], F_GET_SEALS));
    return 0;
}
