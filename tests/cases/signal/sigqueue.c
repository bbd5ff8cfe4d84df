// sigqueue carries a value; a handler sees SI_QUEUE and it; sigwaitinfo takes a
// blocked one off the queue.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static volatile int seen_code, seen_val;
static void h(int s, siginfo_t *si, void *uc) {
    (void)s;
    (void)uc;
    seen_code = si->si_code;
    seen_val = si->si_value.sival_int;
}
int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    union sigval v = {.sival_int = 1234};
    printf("sigqueue: %d\n", sigqueue(getpid(), SIGUSR1, v));
    printf("handler saw code=%s value=%d\n", seen_code == SI_QUEUE ? "SI_QUEUE" : "other", seen_val);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    v.sival_int = 99;
    sigqueue(getpid(), SIGUSR2, v);
    siginfo_t si;
    int s = sigwaitinfo(&set, &si);
    printf("sigwaitinfo: %s value=%d code=%s\n", s == SIGUSR2 ? "SIGUSR2" : "other", si.si_value.sival_int, si.si_code == SI_QUEUE ? "SI_QUEUE" : "other");
    struct timespec z = {0, 1000000};
    printf("timedwait with none pending: %d\n", sigtimedwait(&set, &si, &z));
    return 0;
}
