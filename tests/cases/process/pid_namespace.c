// PID namespaces: clone(CLONE_NEWPID) and unshare(CLONE_NEWPID) give the child pid
// 1 and ppid 0; ids inside are the namespace's own; processes outside are out of
// reach; the caller keeps its pid; a second unshare is EINVAL; once the namespace's
// init is gone, fork there is ENOMEM. /proc keeps the ids of the namespace it
// belongs to. Also unshare(CLONE_NEWUTS) and clone(CLONE_NEWUTS).
// Needs root (CAP_SYS_ADMIN), as the test suite runs natively.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t outside;

static int proc_self_is_global(pid_t global) {
    char buf[64] = {0};
    ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
    return n > 0 && atoi(buf) == global;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    // UTS namespaces: a child's new host name does not leak out.
    char before[65], after[65];
    gethostname(before, sizeof before);
    pid_t u = fork();
    if (u == 0) {
        printf("unshare(CLONE_NEWUTS)=%d\n", unshare(CLONE_NEWUTS));
        sethostname("inner", 5);
        struct utsname n;
        uname(&n);
        printf("inside: %s\n", n.nodename);
        _exit(0);
    }
    waitpid(u, 0, 0);
    gethostname(after, sizeof after);
    printf("outside unchanged: %d\n", strcmp(before, after) == 0);
    // A process outside the namespace, which the inside cannot name.
    outside = fork();
    if (outside == 0) {
        pause();
        _exit(0);
    }
    int fds[2];
    pipe(fds);
    pid_t c = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
    if (c < 0) {
        printf("clone: %s\n", strerrorname_np(errno));
        return 1;
    }
    if (c == 0) {
        pid_t global;
        read(fds[0], &global, sizeof global);
        printf("child: pid %d ppid %d pgrp %d sid %d\n", getpid(), getppid(), getpgrp(), getsid(0));
        printf("child: /proc/self is the outer id: %d\n", proc_self_is_global(global));
        pid_t g = fork();
        if (g == 0) {
            printf("grandchild: pid %d ppid %d\n", getpid(), getppid());
            _exit(3);
        }
        int st;
        pid_t w = waitpid(-1, &st, 0);
        printf("child reaped %d (== fork %d) status %d\n", w, w == g, WEXITSTATUS(st));
        printf("kill(1,0)=%d\n", kill(1, 0));
        errno = 0;
        int r = kill(outside, 0);
        int e = errno;
        printf("kill(outside,0)=%d %s\n", r, strerrorname_np(e));
        errno = 0;
        r = kill(99999, 0);
        e = errno;
        printf("kill(99999,0)=%d %s\n", r, strerrorname_np(e));
        _exit(7);
    }
    write(fds[1], &c, sizeof c);
    int st;
    pid_t w = waitpid(c, &st, 0);
    printf("parent: waited same %d, status %d\n", w == c, WEXITSTATUS(st));
    kill(outside, SIGKILL);
    waitpid(outside, 0, 0);
    pid_t me = getpid();
    printf("unshare: %d\n", unshare(CLONE_NEWPID));
    printf("getpid same after unshare: %d\n", getpid() == me);
    pid_t d = fork();
    if (d == 0) {
        printf("after unshare child pid %d ppid %d\n", getpid(), getppid());
        errno = 0;
        int r = unshare(CLONE_NEWPID);
        int e = errno;
        printf("nested unshare %d %s\n", r, strerrorname_np(e));
        pid_t e2 = fork();
        if (e2 == 0) {
            printf("in nested ns: pid %d ppid %d\n", getpid(), getppid());
            _exit(0);
        }
        waitpid(e2, 0, 0);
        _exit(0);
    }
    waitpid(d, &st, 0);
    errno = 0;
    int r = unshare(CLONE_NEWPID);
    int e = errno;
    printf("second unshare: %d %s\n", r, strerrorname_np(e));
    pid_t f = fork();
    if (f < 0)
        printf("fork after the namespace's init died: %s\n", strerrorname_np(errno));
    else if (f == 0)
        _exit(0);
    else {
        waitpid(f, 0, 0);
        printf("fork ok\n");
    }
    errno = 0;
    r = syscall(SYS_clone, CLONE_NEWPID | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, 0, 0, 0, 0);
    e = errno;
    printf("CLONE_NEWPID|CLONE_THREAD: %d %s\n", r, strerrorname_np(e));

    return 0;
}
