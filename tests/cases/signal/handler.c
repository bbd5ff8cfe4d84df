// sbx-test: static
// Signal handlers run on the guest stack with siginfo and ucontext, FP registers
// survive the handler, SA_RESETHAND/SA_NODEFER/masks behave, and a SIGSEGV handler
// sees si_addr.
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile int hits;
static volatile double acc = 1.5;
static sigjmp_buf jb;
static void *fault_addr;

static void on_usr1(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    hits++;
    acc *= 2;
    printf("usr1: sig=%d code=%s pid_ok=%d\n", sig, si->si_code == SI_TKILL ? "SI_TKILL" : si->si_code == SI_USER ? "SI_USER" : "other",
           si->si_pid == getpid());
}

static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    fault_addr = si->si_addr;
    siglongjmp(jb, 1);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    double x = 3.25;
    raise(SIGUSR1);
    kill(getpid(), SIGUSR1);
    printf("after two: hits=%d acc=%g x=%g\n", hits, acc, x);

    // Blocked signals stay pending until unblocked.
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR1);
    sigset_t pend;
    sigpending(&pend);
    printf("pending while blocked: %d hits=%d\n", sigismember(&pend, SIGUSR1), hits);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("after unblock: hits=%d\n", hits);

    // SA_RESETHAND: the second raise uses the default action, which for SIGURG is ignore.
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigaction(SIGURG, &sa, NULL);
    raise(SIGURG);
    raise(SIGURG);
    struct sigaction cur;
    sigaction(SIGURG, NULL, &cur);
    printf("resethand: hits=%d handler_is_default=%d\n", hits, cur.sa_handler == SIG_DFL);

    // Ignored signals do nothing.
    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);

    // A fault handler sees the faulting address and can leave with siglongjmp.
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    if (sigsetjmp(jb, 1) == 0) {
        *(volatile int *)0x1000 = 1;
        puts("not reached");
    }
    printf("segv at %p\n", fault_addr);
    // And the mask was restored by siglongjmp(jb, 1).
    sigprocmask(SIG_BLOCK, NULL, &old);
    printf("segv blocked after longjmp: %d\n", sigismember(&old, SIGSEGV));
    return 0;
}
