// sbx-test: static
// openat2(2): struct open_how checks and the RESOLVE_* flags.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static long o2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
    return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

/* Prints the outcome of an open: ok (and closes) or the errno name. */
static void show(const char *what, long fd) {
    int e = errno;
    if (fd >= 0) {
        struct stat st;
        fstat((int)fd, &st);
        printf("%-44s ok %s\n", what, S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "link" : S_ISREG(st.st_mode) ? "file" : "other");
        close((int)fd);
    } else {
        printf("%-44s %s\n", what, strerrorname_np(e));
    }
    errno = 0;
}

int main(void) {
    char tmpl[] = "/tmp/sbx-openat2-XXXXXX";
    if (!mkdtemp(tmpl)) return 1;
    if (chdir(tmpl)) return 1;
    mkdir("sub", 0755);
    mkdir("sub/x", 0755);
    close(open("sub/file", O_CREAT | O_WRONLY, 0644));
    close(open("outside", O_CREAT | O_WRONLY, 0644));
    symlink("../outside", "sub/up");
    symlink("..", "sub/dotdot");
    symlink("/file", "sub/abs");
    symlink("/proc/version", "sub/absproc");
    symlink("file", "sub/rel");
    symlink("x/../file", "sub/relx");
    symlink("loop2", "sub/loop1");
    symlink("loop1", "sub/loop2");
    char a[16], b[16];
    symlink("file", "sub/c0");
    for (int i = 1; i <= 40; i++) {
        snprintf(a, sizeof a, "sub/c%d", i);
        snprintf(b, sizeof b, "c%d", i - 1);
        symlink(b, a);
    }

    /* The struct and its flags. */
    struct {
        struct open_how how;
        uint64_t extra[2];
    } big = {{.flags = O_RDONLY}, {0, 0}};
    errno = 0;
    show("size 0", syscall(SYS_openat2, AT_FDCWD, "outside", &big, 0));
    show("size 23", syscall(SYS_openat2, AT_FDCWD, "outside", &big, 23));
    show("size 40 zero tail", syscall(SYS_openat2, AT_FDCWD, "outside", &big, 40));
    big.extra[1] = 1;
    show("size 40 non-zero tail", syscall(SYS_openat2, AT_FDCWD, "outside", &big, 40));
    show("size 32 (tail not read)", syscall(SYS_openat2, AT_FDCWD, "outside", &big, 32));
    show("size 8192", syscall(SYS_openat2, AT_FDCWD, "outside", &big, 8192));
    show("bad struct pointer", syscall(SYS_openat2, AT_FDCWD, "outside", (void *)8, 24));
    show("flags bit 32", o2(AT_FDCWD, "outside", 1ULL << 32, 0, 0));
    show("flags 040000000", o2(AT_FDCWD, "outside", 040000000, 0, 0));
    show("access mode 3", o2(AT_FDCWD, "outside", 3, 0, 0));
    show("mode without O_CREAT", o2(AT_FDCWD, "outside", O_RDONLY, 0644, 0));
    show("mode 010000 with O_CREAT", o2(AT_FDCWD, "outside", O_CREAT | O_RDWR, 010000, 0));
    show("mode 04755 with O_CREAT", o2(AT_FDCWD, "outside", O_CREAT | O_RDWR, 04755, 0));
    show("O_PATH|O_CREAT", o2(AT_FDCWD, "outside", O_PATH | O_CREAT, 0, 0));
    show("O_PATH|O_RDWR", o2(AT_FDCWD, "outside", O_PATH | O_RDWR, 0, 0));
    show("O_PATH|O_CLOEXEC|O_NOFOLLOW", o2(AT_FDCWD, "outside", O_PATH | O_CLOEXEC | O_NOFOLLOW, 0, 0));
    show("unknown resolve bit", o2(AT_FDCWD, "outside", O_RDONLY, 0, 0x40));
    show("BENEATH|IN_ROOT", o2(AT_FDCWD, "outside", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT));
    show("plain", o2(AT_FDCWD, "outside", O_RDONLY, 0, 0));

    int sub = open("sub", O_RDONLY | O_DIRECTORY);
    int subp = open("sub", O_PATH);
    /* RESOLVE_BENEATH */
    const char *beneath[] = {"file", "x/../file", "rel", "relx", "../outside", "up", "abs", "absproc",
                             "/etc", "dotdot/sub/file", "x/../../sub/file", ".", "..", "missing"};
    for (size_t i = 0; i < sizeof beneath / sizeof *beneath; i++) {
        char what[64];
        snprintf(what, sizeof what, "BENEATH %s", beneath[i]);
        show(what, o2(sub, beneath[i], O_RDONLY, 0, RESOLVE_BENEATH));
    }
    show("BENEATH via O_PATH dirfd", o2(subp, "file", O_RDONLY, 0, RESOLVE_BENEATH));
    show("BENEATH /etc with bad dirfd", o2(999, "/etc", O_RDONLY, 0, RESOLVE_BENEATH));
    show("BENEATH O_CREAT new", o2(sub, "new", O_CREAT | O_WRONLY, 0600, RESOLVE_BENEATH));
    show("BENEATH O_CREAT ../new", o2(sub, "../new", O_CREAT | O_WRONLY, 0600, RESOLVE_BENEATH));
    show("BENEATH O_CREAT up (existing link)", o2(sub, "up", O_CREAT | O_WRONLY, 0600, RESOLVE_BENEATH));
    show("AT_FDCWD BENEATH sub/file", o2(AT_FDCWD, "sub/file", O_RDONLY, 0, RESOLVE_BENEATH));
    show("AT_FDCWD BENEATH sub/../outside", o2(AT_FDCWD, "sub/../outside", O_RDONLY, 0, RESOLVE_BENEATH));
    show("AT_FDCWD BENEATH ..", o2(AT_FDCWD, "..", O_RDONLY, 0, RESOLVE_BENEATH));

    /* RESOLVE_IN_ROOT */
    const char *inroot[] = {"file", "/file", "abs", "../../../file", "..", "/..", "up", "dotdot/file",
                            "absproc", "/", "dotdot/x/../rel"};
    for (size_t i = 0; i < sizeof inroot / sizeof *inroot; i++) {
        char what[64];
        snprintf(what, sizeof what, "IN_ROOT %s", inroot[i]);
        show(what, o2(sub, inroot[i], O_RDONLY, 0, RESOLVE_IN_ROOT));
    }

    /* RESOLVE_NO_SYMLINKS */
    show("NO_SYMLINKS file", o2(sub, "file", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
    show("NO_SYMLINKS rel", o2(sub, "rel", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
    show("NO_SYMLINKS dotdot/outside", o2(sub, "dotdot/outside", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
    show("NO_SYMLINKS rel O_PATH|O_NOFOLLOW", o2(sub, "rel", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS));
    show("NO_SYMLINKS rel O_NOFOLLOW", o2(sub, "rel", O_RDONLY | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS));
    show("NO_SYMLINKS /proc/self/status", o2(AT_FDCWD, "/proc/self/status", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));

    /* RESOLVE_NO_MAGICLINKS */
    char fdpath[64];
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", sub);
    show("NO_MAGICLINKS /proc/self/status", o2(AT_FDCWD, "/proc/self/status", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS));
    show("NO_MAGICLINKS /proc/self/fd/N", o2(AT_FDCWD, fdpath, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS));
    show("plain /proc/self/fd/N", o2(AT_FDCWD, fdpath, O_RDONLY, 0, 0));
    show("NO_MAGICLINKS /proc/self/fd/N O_PATH|O_NOFOLLOW",
         o2(AT_FDCWD, fdpath, O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_MAGICLINKS));
    strcat(fdpath, "/file");
    show("NO_MAGICLINKS /proc/self/fd/N/file", o2(AT_FDCWD, fdpath, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS));
    show("plain /proc/self/fd/N/file", o2(AT_FDCWD, fdpath, O_RDONLY, 0, 0));
    show("NO_MAGICLINKS /proc/self/exe", o2(AT_FDCWD, "/proc/self/exe", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS));
    show("NO_MAGICLINKS /proc/self/cwd", o2(AT_FDCWD, "/proc/self/cwd", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS));
    show("NO_MAGICLINKS /proc/self/root", o2(AT_FDCWD, "/proc/self/root", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS));
    show("NO_MAGICLINKS /dev/stdin", o2(AT_FDCWD, "/dev/stdin", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS));
    show("NO_MAGICLINKS sub/rel", o2(sub, "rel", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS));
    int procfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
    snprintf(a, sizeof a, "%d", sub);
    show("BENEATH magic link", o2(procfd, a, O_RDONLY, 0, RESOLVE_BENEATH));
    show("IN_ROOT magic link", o2(procfd, a, O_RDONLY, 0, RESOLVE_IN_ROOT));
    close(procfd);

    /* RESOLVE_NO_XDEV */
    int proc = open("/proc", O_RDONLY | O_DIRECTORY);
    int dev = open("/dev", O_RDONLY | O_DIRECTORY);
    show("NO_XDEV /proc self/status", o2(proc, "self/status", O_RDONLY, 0, RESOLVE_NO_XDEV));
    show("NO_XDEV /proc version", o2(proc, "version", O_RDONLY, 0, RESOLVE_NO_XDEV));
    show("NO_XDEV /proc ..", o2(proc, "..", O_RDONLY, 0, RESOLVE_NO_XDEV));
    show("NO_XDEV /proc .", o2(proc, ".", O_RDONLY, 0, RESOLVE_NO_XDEV));
    show("NO_XDEV /dev shm", o2(dev, "shm", O_RDONLY, 0, RESOLVE_NO_XDEV));
    show("NO_XDEV /dev null", o2(dev, "null", O_RDONLY, 0, RESOLVE_NO_XDEV));
    show("NO_XDEV /dev/shm ..", o2(AT_FDCWD, "/dev/shm/..", O_RDONLY, 0, RESOLVE_NO_XDEV));
    show("NO_XDEV AT_FDCWD /proc/version", o2(AT_FDCWD, "/proc/version", O_RDONLY, 0, RESOLVE_NO_XDEV));
    show("NO_XDEV /proc /proc", o2(proc, "/proc", O_RDONLY, 0, RESOLVE_NO_XDEV));
    show("NO_XDEV sub file", o2(sub, "file", O_RDONLY, 0, RESOLVE_NO_XDEV));
    show("NO_XDEV sub absproc", o2(sub, "absproc", O_RDONLY, 0, RESOLVE_NO_XDEV));
    snprintf(a, sizeof a, "self/fd/%d", sub);
    show("NO_XDEV /proc magic link to other mount", o2(proc, a, O_RDONLY, 0, RESOLVE_NO_XDEV));
    snprintf(a, sizeof a, "self/fd/%d", proc);
    show("NO_XDEV /proc magic link to same mount", o2(proc, a, O_RDONLY, 0, RESOLVE_NO_XDEV));
    close(proc);
    close(dev);

    /* RESOLVE_CACHED: a name just looked up is cached; creating never is. */
    struct stat st;
    stat("sub/file", &st);
    show("CACHED file", o2(sub, "file", O_RDONLY, 0, RESOLVE_CACHED));
    show("CACHED O_CREAT", o2(sub, "file", O_RDONLY | O_CREAT, 0600, RESOLVE_CACHED));
    show("CACHED O_TRUNC", o2(sub, "file", O_WRONLY | O_TRUNC, 0, RESOLVE_CACHED));

    /* Symlink limits, O_NOFOLLOW, O_PATH. */
    show("open c39 (40 links)", open("sub/c39", O_RDONLY));
    show("open c40 (41 links)", open("sub/c40", O_RDONLY));
    show("open loop1", open("sub/loop1", O_RDONLY));
    show("open loop1/x", open("sub/loop1/x", O_RDONLY));
    show("open rel O_NOFOLLOW", open("sub/rel", O_RDONLY | O_NOFOLLOW));
    show("open rel O_PATH|O_NOFOLLOW", open("sub/rel", O_PATH | O_NOFOLLOW));
    show("open rel O_PATH", open("sub/rel", O_PATH));
    show("open rel/ O_NOFOLLOW", open("sub/rel/", O_RDONLY | O_NOFOLLOW));
    show("open dotdot/ O_NOFOLLOW|O_DIRECTORY", open("sub/dotdot/", O_RDONLY | O_NOFOLLOW | O_DIRECTORY));
    show("open dotdot O_NOFOLLOW|O_DIRECTORY", open("sub/dotdot", O_RDONLY | O_NOFOLLOW | O_DIRECTORY));
    show("open loop1 O_PATH|O_NOFOLLOW", open("sub/loop1", O_PATH | O_NOFOLLOW));

    /* AT_EMPTY_PATH on an O_PATH symlink fd. */
    int lfd = open("sub/rel", O_PATH | O_NOFOLLOW);
    char buf[64] = {0};
    errno = 0;
    long n = readlinkat(lfd, "", buf, sizeof buf - 1);
    int e = errno;
    printf("readlinkat(O_PATH link, \"\") = %ld %s %s\n", n, n > 0 ? buf : "", n < 0 ? strerrorname_np(e) : "");
    memset(&st, 0, sizeof st);
    long r = fstatat(lfd, "", &st, AT_EMPTY_PATH);
    printf("fstatat EMPTY_PATH = %ld link=%d\n", r, S_ISLNK(st.st_mode));
    errno = 0;
    r = fstatat(lfd, "", &st, 0);
    e = errno;
    printf("fstatat \"\" without flag = %ld %s\n", r, r ? strerrorname_np(e) : "");
    errno = 0;
    r = read(lfd, buf, 1);
    e = errno;
    printf("read O_PATH = %ld %s\n", r, strerrorname_np(e));
    int ffd = open("sub/file", O_PATH);
    r = fchownat(ffd, "", 0, 0, AT_EMPTY_PATH);
    printf("fchownat EMPTY_PATH = %ld\n", r);
    errno = 0;
    r = linkat(ffd, "", AT_FDCWD, "linked", AT_EMPTY_PATH);
    e = errno;
    printf("linkat EMPTY_PATH = %ld %s\n", r, r ? strerrorname_np(e) : "");
    r = access("linked", F_OK);
    printf("linked exists = %d\n", r == 0);
    close(ffd);
    close(lfd);

    /* renameat2 flags. */
    close(open("r1", O_CREAT | O_WRONLY, 0644));
    close(open("r2", O_CREAT | O_WRONLY, 0644));
    mkdir("rd", 0755);
    errno = 0;
    r = renameat2(AT_FDCWD, "r1", AT_FDCWD, "r2", RENAME_NOREPLACE);
    printf("NOREPLACE existing = %ld %s\n", r, r ? strerrorname_np(errno) : "");
    errno = 0;
    r = renameat2(AT_FDCWD, "r1", AT_FDCWD, "r3", RENAME_NOREPLACE);
    printf("NOREPLACE new = %ld %s\n", r, r ? strerrorname_np(errno) : "");
    errno = 0;
    r = renameat2(AT_FDCWD, "r3", AT_FDCWD, "rd", RENAME_EXCHANGE);
    printf("EXCHANGE file/dir = %ld %s\n", r, r ? strerrorname_np(errno) : "");
    memset(&st, 0, sizeof st);
    stat("r3", &st);
    printf("r3 is dir = %d\n", S_ISDIR(st.st_mode));
    errno = 0;
    r = renameat2(AT_FDCWD, "r3", AT_FDCWD, "nothere", RENAME_EXCHANGE);
    printf("EXCHANGE with missing = %ld %s\n", r, r ? strerrorname_np(errno) : "");
    errno = 0;
    r = renameat2(AT_FDCWD, "r2", AT_FDCWD, "rd", RENAME_EXCHANGE | RENAME_NOREPLACE);
    printf("EXCHANGE|NOREPLACE = %ld %s\n", r, r ? strerrorname_np(errno) : "");
    errno = 0;
    r = renameat2(AT_FDCWD, "r2", AT_FDCWD, "rd", RENAME_EXCHANGE | RENAME_WHITEOUT);
    printf("EXCHANGE|WHITEOUT = %ld %s\n", r, r ? strerrorname_np(errno) : "");
    errno = 0;
    r = renameat2(AT_FDCWD, "r2", AT_FDCWD, "rd", 0x100);
    printf("unknown flag = %ld %s\n", r, r ? strerrorname_np(errno) : "");

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpl);
    chdir("/");
    return system(cmd);
}
