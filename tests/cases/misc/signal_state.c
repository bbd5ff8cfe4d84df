// sbx-test: static
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#define E(x) printf("%s -> %ld %s\n", #x, (long)(x), errno ? strerrorname_np(errno) : ""), errno = 0
static void h(int s) { (void)s; }
int main(void) {
    errno = 0;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = SA_RESTART;
    sigaddset(&sa.sa_mask, SIGUSR2);
    E(sigaction(SIGUSR1, &sa, NULL));
    E(sigaction(SIGUSR1, NULL, &old));
    printf("handler kept: %d restart: %d mask usr2: %d\n", old.sa_handler == h, (old.sa_flags & SA_RESTART) != 0, sigismember(&old.sa_mask, SIGUSR2));
    E(sigaction(SIGKILL, &sa, NULL));
    E(sigaction(SIGSTOP, &sa, NULL));
    E(sigaction(0, &sa, NULL));
    E(sigaction(65, &sa, NULL));
    sigset_t s, o;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGKILL);
    E(sigprocmask(SIG_BLOCK, &s, NULL));
    E(sigprocmask(SIG_BLOCK, NULL, &o));
    printf("int blocked: %d kill blocked: %d\n", sigismember(&o, SIGINT), sigismember(&o, SIGKILL));
    E(sigprocmask(99, &s, NULL));
    stack_t ss = {0}, os;
    static char stk[65536];
    ss.ss_sp = stk;
    ss.ss_size = sizeof stk;
    E(sigaltstack(&ss, NULL));
    E(sigaltstack(NULL, &os));
    printf("altstack size ok: %d flags: %d\n", os.ss_size == sizeof stk, os.ss_flags);
    ss.ss_size = 100;
    E(sigaltstack(&ss, NULL));
    return 0;
}
