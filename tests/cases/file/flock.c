// flock between processes: exclusive and shared, LOCK_NB, conversion, release on
// the last close of the description (dup'd fds share it), independence from fcntl.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>
static int try_in_child(const char *p, int op) {
    pid_t c = fork();
    if (c == 0) {
        int fd = open(p, O_RDONLY);
        int r = flock(fd, op | LOCK_NB);
        _exit(r == 0 ? 0 : (errno == EWOULDBLOCK ? 1 : 2));
    }
    int st;
    waitpid(c, &st, 0);
    return WEXITSTATUS(st);
}
int main(void) {
    const char *p = "/tmp/sbx-flock-case";
    int fd = open(p, O_CREAT | O_RDWR | O_TRUNC, 0600);
    printf("ex: %d\n", flock(fd, LOCK_EX));
    printf("child ex (1=would block): %d\n", try_in_child(p, LOCK_EX));
    printf("child sh: %d\n", try_in_child(p, LOCK_SH));
    printf("to shared: %d\n", flock(fd, LOCK_SH));
    printf("child sh now: %d\n", try_in_child(p, LOCK_SH));
    printf("child ex still blocked: %d\n", try_in_child(p, LOCK_EX));
    int d = dup(fd);
    close(fd);
    printf("dup keeps it: %d\n", try_in_child(p, LOCK_EX));
    close(d);
    printf("last close frees it: %d\n", try_in_child(p, LOCK_EX));
    fd = open(p, O_RDWR);
    int r = flock(fd, 0);
    printf("bad op: %d %s\n", r, strerrorname_np(errno));
    printf("LOCK_MAND is ignored: %d\n", flock(fd, 32 | LOCK_SH));
    flock(fd, LOCK_EX);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    printf("fcntl lock is independent: %d\n", fcntl(fd, F_SETLK, &fl));
    printf("unlock: %d\n", flock(fd, LOCK_UN));
    unlink(p);
    return 0;
}
