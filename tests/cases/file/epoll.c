// epoll on pipes: level- and edge-triggered, one-shot, MOD/DEL, errors, nesting.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
static void wait_show(int ep, const char *what) {
    struct epoll_event ev[4];
    memset(ev, 0, sizeof ev);
    int n = epoll_wait(ep, ev, 4, 0);
    printf("%s: n=%d", what, n);
    for (int i = 0; i < n; i++) printf(" [events=%x data=%lu]", ev[i].events, (unsigned long)ev[i].data.u64);
    printf("\n");
}
int main(void) {
    int p[2], q[2];
    pipe(p);
    pipe(q);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event e = {.events = EPOLLIN, .data.u64 = 1};
    printf("add: %d\n", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e));
    printf("add again: %d %s\n", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e), strerrorname_np(errno));
    e.events = EPOLLIN | EPOLLET;
    e.data.u64 = 2;
    epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &e);
    wait_show(ep, "nothing");
    write(p[1], "x", 1);
    write(q[1], "y", 1);
    wait_show(ep, "both");
    wait_show(ep, "level again, edge not");
    write(q[1], "z", 1);
    wait_show(ep, "new edge");
    char c[4];
    read(p[0], c, 1);
    e.events = EPOLLIN | EPOLLONESHOT;
    e.data.u64 = 3;
    printf("mod: %d\n", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e));
    write(p[1], "x", 1);
    wait_show(ep, "oneshot first");
    wait_show(ep, "oneshot disabled");
    printf("del: %d\n", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    printf("del again: %d %s\n", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), strerrorname_np(errno));
    int ep2 = epoll_create1(0);
    e.events = EPOLLIN;
    e.data.u64 = 9;
    printf("nest: %d\n", epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &e));
    printf("loop: %d %s\n", epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &e), strerrorname_np(errno));
    wait_show(ep2, "nested ready");
    close(q[1]);
    read(q[0], c, 2);
    wait_show(ep, "hangup");
    printf("self: %d %s\n", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e), strerrorname_np(errno));
    printf("bad fd: %d %s\n", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &e), strerrorname_np(errno));
    printf("bad max: %d %s\n", epoll_wait(ep, &e, 0, 0), strerrorname_np(errno));
    return 0;
}
