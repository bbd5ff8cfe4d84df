// sbx-test: static
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#define E(x) printf("%s -> %ld %s\n", #x, (long)(x), errno ? strerrorname_np(errno) : ""), errno = 0
int main(void) {
    errno = 0;
    int fd = open("/etc/passwd", O_RDONLY);
    E(fcntl(fd, F_GETFD));
    E(fcntl(fd, F_SETFD, FD_CLOEXEC));
    E(fcntl(fd, F_GETFD));
    E(fcntl(fd, F_GETFL) & O_ACCMODE);
    E(fcntl(fd, F_DUPFD, 10));
    E(fcntl(fd, F_DUPFD, 10));
    E(fcntl(fd, F_DUPFD_CLOEXEC, 20));
    E(fcntl(20, F_GETFD));
    E(dup(fd) > fd);
    E(dup2(fd, fd));
    E(dup2(fd, 30));
    E(dup3(fd, fd, 0));
    E(dup3(fd, 31, O_CLOEXEC));
    E(fcntl(31, F_GETFD));
    E(dup2(-1, 5));
    E(dup2(fd, -1));
    E(fcntl(99, F_GETFD));
    char c;
    lseek(fd, 3, SEEK_SET);
    E(lseek(30, 0, SEEK_CUR));
    struct termios t;
    E(ioctl(fd, TCGETS, &t));
    E(ioctl(fd, FIOCLEX));
    E(fcntl(fd, F_GETFD));
    E(read(30, &c, 1));
    return 0;
}
