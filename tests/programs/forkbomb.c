// Forks until fork fails, then reports why; run only under sbx (natively it would
// fill the host's process table up to the user's limit).
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    int n = 0;
    for (;;) {
        pid_t p = fork();
        if (p == 0) {
            pause();
            _exit(0);
        }
        if (p < 0) {
            printf("%s after %d children\n", strerrorname_np(errno), n);
            break;
        }
        n++;
    }
    signal(SIGTERM, SIG_IGN);
    kill(0, SIGTERM);
    return 0;
}
