// Timeouts too long for any clock wait (until a signal) instead of failing; timers
// with such periods fire once. (A kernel bug here would crash the Sentry.)
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
static void h(int s) { (void)s; }
int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec forever = {LONG_MAX, 0};
    int r = nanosleep(&forever, NULL);
    printf("nanosleep: %d %s\n", r, strerrorname_np(errno));
    setitimer(ITIMER_REAL, &it, NULL);
    struct timeval tv = {LONG_MAX / 2, 0};
    r = select(0, NULL, NULL, NULL, &tv);
    printf("select: %d %s\n", r, strerrorname_np(errno));
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
    r = sigtimedwait(&set, NULL, &forever);
    printf("sigtimedwait: %d %s\n", r, strerrorname_np(errno));
    int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec its = {{LONG_MAX, 0}, {0, 1000}};
    printf("timerfd set: %d\n", timerfd_settime(t, 0, &its, NULL));
    usleep(10000);
    uint64_t n = 0;
    r = read(t, &n, 8);
    printf("first: %d count %lu\n", r, (unsigned long)n);
    r = read(t, &n, 8);
    printf("second: %d %s\n", r, strerrorname_np(errno));
    struct itimerval big = {{LONG_MAX / 4, 0}, {0, 1000}};
    printf("setitimer big interval: %d\n", setitimer(ITIMER_REAL, &big, NULL));
    pause();
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("alive\n");
    return 0;
}
