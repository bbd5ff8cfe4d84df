// CPU time of children: zero before a wait, then the waited-for child's in
// getrusage(RUSAGE_CHILDREN), times()'s cutime and wait4's rusage; the process's own
// time (RUSAGE_SELF) covers its threads.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double secs(struct timeval tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

static void burn(double s) {
    struct timespec a, b;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
    volatile unsigned long x = 0;
    do {
        for (int i = 0; i < 100000; i++) x += i;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
    } while ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9 < s);
}

static void *worker(void *a) {
    (void)a;
    burn(0.3);
    return NULL;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    printf("children before: %d\n", secs(ru.ru_utime) + secs(ru.ru_stime) == 0);
    pid_t c = fork();
    if (c == 0) {
        burn(0.4);
        _exit(0);
    }
    struct rusage cru;
    int st;
    wait4(c, &st, 0, &cru);
    printf("wait4 rusage >= 0.3s: %d\n", secs(cru.ru_utime) + secs(cru.ru_stime) >= 0.3);
    getrusage(RUSAGE_CHILDREN, &ru);
    printf("RUSAGE_CHILDREN >= 0.3s: %d\n", secs(ru.ru_utime) + secs(ru.ru_stime) >= 0.3);
    struct tms t;
    times(&t);
    long hz = sysconf(_SC_CLK_TCK);
    printf("times cutime+cstime >= 0.3s: %d\n", (double)(t.tms_cutime + t.tms_cstime) / hz >= 0.3);
    pthread_t th;
    pthread_create(&th, NULL, worker, NULL);
    pthread_join(th, NULL);
    getrusage(RUSAGE_SELF, &ru);
    printf("RUSAGE_SELF counts an ended thread: %d\n", secs(ru.ru_utime) + secs(ru.ru_stime) >= 0.25);
    return 0;
}
