// sbx-test: static
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#define E(x) printf("%s -> %ld %s\n", #x, (long)(x), errno ? strerrorname_np(errno) : ""), errno = 0
int main(void) {
    char path[] = "/tmp/sbx-io-XXXXXX";
    int fd = mkstemp(path);
    char buf[64] = {0};
    errno = 0;
    E(write(fd, "hello world", 11));
    E(lseek(fd, 0, SEEK_CUR));
    E(lseek(fd, 0, SEEK_SET));
    E(read(fd, buf, 5));
    printf("buf=%s\n", buf);
    E(pread(fd, buf, 5, 6));
    printf("buf=%.5s\n", buf);
    E(pwrite(fd, "WORLD", 5, 6));
    E(lseek(fd, 0, SEEK_CUR));
    E(lseek(fd, -1, SEEK_SET));
    E(lseek(fd, 3, SEEK_END));
    E(lseek(fd, 0, 99));
    struct iovec iov[3] = {{"a", 1}, {"bc", 2}, {"def", 3}};
    E(lseek(fd, 0, SEEK_SET));
    E(writev(fd, iov, 3));
    char x[2], y[4];
    struct iovec r[2] = {{x, 2}, {y, 4}};
    E(lseek(fd, 0, SEEK_SET));
    E(readv(fd, r, 2));
    printf("%.2s|%.4s\n", x, y);
    E(read(fd, buf, sizeof buf));
    E(read(fd, buf, sizeof buf));
    int ro = open(path, O_RDONLY);
    E(write(ro, "x", 1));
    int wo = open(path, O_WRONLY | O_APPEND);
    E(write(wo, "END", 3));
    E(lseek(ro, 0, SEEK_END));
    E(read(-1, buf, 1));
    E(read(12345, buf, 1));
    E(close(12345));
    close(ro);
    close(wo);
    close(fd);
    E(unlink(path));
    return 0;
}
