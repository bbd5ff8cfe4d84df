// execve from a thread that is not the leader: the other threads (the leader among
// them) end, the exec'ing thread takes over the process id as its thread id, and
// the parent waits for the same pid.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char *self;
static char pidstr[32];

static void *execer(void *a) {
    (void)a;
    printf("thread is not the leader: %d\n", (pid_t)syscall(SYS_gettid) != getpid());
    fflush(stdout);
    execl("/proc/self/exe", self, "again", pidstr, (char *)NULL);
    perror("execl");
    return NULL;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 2) {
        printf("new image: pid kept %d, tid == pid %d\n", getpid() == atoi(argv[2]),
               (pid_t)syscall(SYS_gettid) == getpid());
        FILE *f = fopen("/proc/self/status", "r");
        char line[128];
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "Threads:", 8) == 0) printf("%s", line);
        return 5;
    }
    self = argv[0];
    pid_t c = fork();
    if (c == 0) {
        snprintf(pidstr, sizeof pidstr, "%d", getpid());
        pthread_t t;
        pthread_create(&t, NULL, execer, NULL);
        for (;;) pause();
    }
    int st;
    pid_t w = waitpid(c, &st, 0);
    printf("parent waited for the same pid %d, status %d\n", w == c, WEXITSTATUS(st));
    return 0;
}
