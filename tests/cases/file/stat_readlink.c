// sbx-test: static
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#define E(x) printf("%s -> %ld %s\n", #x, (long)(x), errno ? strerrorname_np(errno) : ""), errno = 0
int main(void) {
    errno = 0;
    mkdir("/tmp/sbx-st", 0755);
    int fd = open("/tmp/sbx-st/f", O_CREAT | O_RDWR, 0640);
    write(fd, "12345", 5);
    struct stat st, st2;
    E(fstat(fd, &st));
    printf("reg=%d size=%ld nlink=%ld mode=%o\n", S_ISREG(st.st_mode), (long)st.st_size, (long)st.st_nlink, st.st_mode & 07777);
    E(symlink("f", "/tmp/sbx-st/l"));
    E(symlink("/tmp/sbx-st/f", "/tmp/sbx-st/abs"));
    E(lstat("/tmp/sbx-st/l", &st));
    printf("lnk=%d size=%ld\n", S_ISLNK(st.st_mode), (long)st.st_size);
    E(stat("/tmp/sbx-st/l", &st2));
    printf("follows=%d\n", S_ISREG(st2.st_mode));
    E(fstatat(AT_FDCWD, "/tmp/sbx-st/l", &st, AT_SYMLINK_NOFOLLOW));
    printf("lnk=%d\n", S_ISLNK(st.st_mode));
    E(fstatat(fd, "", &st, AT_EMPTY_PATH));
    printf("emptypath reg=%d\n", S_ISREG(st.st_mode));
    struct statx sx;
    E(statx(AT_FDCWD, "/tmp/sbx-st/f", 0, STATX_BASIC_STATS, &sx));
    printf("statx size=%llu mode=%o\n", (unsigned long long)sx.stx_size, sx.stx_mode & 07777);
    char buf[64];
    memset(buf, 'X', sizeof buf);
    long n;
    E(n = readlink("/tmp/sbx-st/abs", buf, sizeof buf));
    printf("target=%.*s\n", (int)n, buf);
    E(n = readlink("/tmp/sbx-st/abs", buf, 4));
    printf("truncated=%.*s next=%c\n", (int)n, buf, buf[4]);
    E(readlink("/tmp/sbx-st/f", buf, sizeof buf));
    E(readlink("/tmp/sbx-st/none", buf, sizeof buf));
    E(readlinkat(AT_FDCWD, "/tmp/sbx-st/l", buf, 0));
    E(link("/tmp/sbx-st/f", "/tmp/sbx-st/hard"));
    stat("/tmp/sbx-st/f", &st);
    printf("nlink=%ld\n", (long)st.st_nlink);
    E(chmod("/tmp/sbx-st/f", 0600));
    stat("/tmp/sbx-st/hard", &st);
    printf("mode via link=%o\n", st.st_mode & 07777);
    E(truncate("/tmp/sbx-st/f", 2));
    E(ftruncate(fd, 3));
    fstat(fd, &st);
    printf("size=%ld\n", (long)st.st_size);
    struct timespec ts[2] = {{1000000, 0}, {2000000, 500}};
    E(utimensat(AT_FDCWD, "/tmp/sbx-st/f", ts, 0));
    stat("/tmp/sbx-st/f", &st);
    printf("atime=%ld mtime=%ld.%ld\n", (long)st.st_atime, (long)st.st_mtime, st.st_mtim.tv_nsec);
    close(fd);
    unlink("/tmp/sbx-st/hard");
    unlink("/tmp/sbx-st/abs");
    unlink("/tmp/sbx-st/l");
    unlink("/tmp/sbx-st/f");
    E(rmdir("/tmp/sbx-st"));
    return 0;
}
