// sbx-test: static
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#define E(x) printf("%s -> %ld %s\n", #x, (long)(x), errno ? strerrorname_np(errno) : ""), errno = 0
int main(void) {
    errno = 0;
    struct utsname u;
    uname(&u);
    printf("sysname=%s machine=%s\n", u.sysname, u.machine);
    printf("tid==pid: %d\n", gettid() == getpid());
    printf("uid==euid: %d gid==egid: %d\n", getuid() == geteuid(), getgid() == getegid());
    struct timespec a, b, r;
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec ten = {0, 10000000};
    E(nanosleep(&ten, NULL));
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    printf("slept>=10ms: %d\n", ms >= 10);
    clock_gettime(CLOCK_REALTIME, &a);
    printf("realtime~time: %d\n", labs(a.tv_sec - time(NULL)) <= 2);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("tod~time: %d\n", labs(tv.tv_sec - time(NULL)) <= 2);
    clock_gettime(CLOCK_MONOTONIC, &a);
    a.tv_nsec += 5000000;
    if (a.tv_nsec >= 1000000000) { a.tv_sec++; a.tv_nsec -= 1000000000; }
    E(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &a, NULL));
    E(clock_gettime(12345, &r));
    E(clock_getres(CLOCK_MONOTONIC, &r));
    struct sysinfo si;
    E(sysinfo(&si));
    printf("totalram>0: %d unit>=1: %d\n", si.totalram > 0, si.mem_unit >= 1);
    char r1[16], r2[16];
    E(getrandom(r1, 16, 0));
    getrandom(r2, 16, 0);
    printf("random differs: %d\n", memcmp(r1, r2, 16) != 0);
    E(getrandom(r1, 16, 0x100));
    struct rlimit rl;
    E(getrlimit(RLIMIT_NOFILE, &rl));
    printf("soft<=hard: %d\n", rl.rlim_cur <= rl.rlim_max);
    rl.rlim_cur = 100;
    E(setrlimit(RLIMIT_NOFILE, &rl));
    getrlimit(RLIMIT_NOFILE, &rl);
    printf("soft now %ld\n", (long)rl.rlim_cur);
    rl.rlim_cur = rl.rlim_max + 1;
    E(setrlimit(RLIMIT_NOFILE, &rl));
    E(prlimit(0, RLIMIT_STACK, NULL, &rl));
    E(prlimit(0, 99, NULL, &rl));
    unsigned long fs;
    E(syscall(SYS_arch_prctl, 0x1003, &fs));
    printf("fs==tp: %d\n", fs == (unsigned long)__builtin_thread_pointer());
    printf("set_tid_address==tid: %d\n", syscall(SYS_set_tid_address, NULL) == gettid());
    cpu_set_t set;
    E(sched_getaffinity(0, sizeof set, &set) == 0);
    printf("cpus>=1: %d\n", CPU_COUNT(&set) >= 1);
    E(sched_yield());
    return 0;
}
