// fcntl record locks between processes: conflicts, F_GETLK, release on close.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
static int lk(int fd, int cmd, short type, off_t start, off_t len) {
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl);
}
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *p = "/tmp/sbx-locks-case";
    int fd = open(p, O_CREAT | O_RDWR | O_TRUNC, 0600);
    printf("parent write lock 0-100: %d\n", lk(fd, F_SETLK, F_WRLCK, 0, 100));
    pid_t c = fork();
    if (c == 0) {
        int r = lk(fd, F_SETLK, F_WRLCK, 50, 10);
        printf("child overlapping: %d %s\n", r, strerrorname_np(errno));
        printf("child elsewhere: %d\n", lk(fd, F_SETLK, F_WRLCK, 200, 10));
        struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
        fcntl(fd, F_GETLK, &q);
        printf("child sees: type=%s start=%ld len=%ld pid_is_parent=%d\n", q.l_type == F_WRLCK ? "WR" : "other", (long)q.l_start,
               (long)q.l_len, q.l_pid == getppid());
        printf("child waits...\n");
        int w = lk(fd, F_SETLKW, F_WRLCK, 0, 1);
        printf("child got it after parent closed: %d\n", w);
        _exit(0);
    }
    usleep(200000);
    close(fd);  // releases the parent's locks
    waitpid(c, NULL, 0);
    fd = open(p, O_RDWR);
    printf("bad type: %d %s\n", lk(fd, F_SETLK, 7, 0, 1), strerrorname_np(errno));
    int ro = open(p, O_RDONLY);
    printf("write lock on read-only fd: %d %s\n", lk(ro, F_SETLK, F_WRLCK, 0, 1), strerrorname_np(errno));
    unlink(p);
    return 0;
}
