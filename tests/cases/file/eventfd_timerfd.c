// eventfd counters and semaphores, timerfd one-shot and periodic expirations, both
// through read, poll and epoll.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>
int main(void) {
    int e = eventfd(3, EFD_NONBLOCK);
    uint64_t v = 0;
    ssize_t r = read(e, &v, 8);
    printf("read %zd value %lu\n", r, (unsigned long)v);
    r = read(e, &v, 8);
    printf("empty: %zd %s\n", r, strerrorname_np(errno));
    v = 5;
    write(e, &v, 8);
    write(e, &v, 8);
    read(e, &v, 8);
    printf("sum %lu\n", (unsigned long)v);
    r = read(e, &v, 4);
    printf("short read: %zd %s\n", r, strerrorname_np(errno));
    v = UINT64_MAX;
    r = write(e, &v, 8);
    printf("max write: %zd %s\n", r, strerrorname_np(errno));
    int s = eventfd(2, EFD_SEMAPHORE);
    read(s, &v, 8);
    printf("semaphore gives %lu\n", (unsigned long)v);
    struct pollfd pf = {s, POLLIN, 0};
    printf("still readable: %d\n", poll(&pf, 1, 0));

    int t = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec its = {{0, 20000000}, {0, 30000000}};
    printf("settime: %d\n", timerfd_settime(t, 0, &its, NULL));
    read(t, &v, 8);
    printf("first expiry count>=1: %d\n", v >= 1);
    usleep(100000);
    read(t, &v, 8);
    printf("periodic count>=3: %d\n", v >= 3);
    struct itimerspec cur;
    timerfd_gettime(t, &cur);
    printf("interval kept: %ld\n", cur.it_interval.tv_nsec);
    struct itimerspec off = {{0, 0}, {0, 0}};
    timerfd_settime(t, 0, &off, NULL);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 7};
    epoll_ctl(ep, EPOLL_CTL_ADD, t, &ev);
    printf("disarmed, epoll: %d\n", epoll_wait(ep, &ev, 1, 50));
    struct itimerspec once = {{0, 0}, {0, 10000000}};
    timerfd_settime(t, 0, &once, NULL);
    int n = epoll_wait(ep, &ev, 1, 1000);
    printf("armed, epoll: %d data %u\n", n, ev.data.u32);
    r = timerfd_settime(t, 2, &once, NULL);
    printf("cancel-on-set: %zd %s\n", r, strerrorname_np(errno));
    return 0;
}
