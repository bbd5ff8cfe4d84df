// Every way libc makes a process: fork, vfork, posix_spawn (clone3 or clone with
// CLONE_VM|CLONE_VFORK), system(), popen(), and a raw clone3.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
extern char **environ;
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int st;
    pid_t p;
    char *argv[] = {"sh", "-c", "echo spawned; exit 4", NULL};
    int sr = posix_spawn(&p, "/bin/sh", NULL, NULL, argv, environ);
    waitpid(p, &st, 0);
    printf("posix_spawn: %d status %d\n", sr, WEXITSTATUS(st));
    char *bad[] = {"nope", NULL};
    int r = posix_spawn(&p, "/nonexistent", NULL, NULL, bad, environ);
    printf("posix_spawn missing: %s\n", strerrorname_np(r));
    printf("system: %d\n", WEXITSTATUS(system("echo from system; exit 6")));
    FILE *f = popen("echo from popen", "r");
    char buf[64] = {0};
    fgets(buf, sizeof buf, f);
    printf("popen read: %s", buf);
    printf("pclose: %d\n", WEXITSTATUS(pclose(f)));
    struct clone_args ca;
    memset(&ca, 0, sizeof ca);
    ca.exit_signal = SIGCHLD;
    long c = syscall(SYS_clone3, &ca, sizeof ca);
    if (c == 0) _exit(8);
    waitpid(c, &st, 0);
    printf("clone3 child status %d\n", WEXITSTATUS(st));
    ca.flags = CLONE_PIDFD + 0; // pidfd needs a pointer: EINVAL/EFAULT either way
    ca.pidfd = 0;
    errno = 0;
    long badsize = syscall(SYS_clone3, &ca, 8);
    printf("clone3 bad size: %ld %s\n", badsize, strerrorname_np(errno));
    return 0;
}
