// Job control: a stopped child stops, its parent sees it with WUNTRACED and
// SIGCHLD(CLD_STOPPED), SIGCONT resumes it (WCONTINUED), and a stopped process can
// still be killed.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
static volatile int chld_code;
static void on_chld(int s, siginfo_t *si, void *u) {
    (void)s;
    (void)u;
    chld_code = si->si_code;
}
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    int p[2], q[2];
    pipe(p);
    pipe(q);
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        raise(SIGSTOP);
        write(p[1], "resumed", 7);
        // Stay until the parent has collected the "continued" event.
        char go;
        read(q[0], &go, 1);
        _exit(4);
    }
    close(p[1]);
    int st;
    pid_t r = waitpid(c, &st, WUNTRACED);
    printf("stopped: %d sig=%s\n", r == c && WIFSTOPPED(st), WSTOPSIG(st) == SIGSTOP ? "SIGSTOP" : "other");
    while (chld_code == 0) usleep(1000);
    printf("SIGCHLD code: %s\n", chld_code == CLD_STOPPED ? "CLD_STOPPED" : "other");
    printf("nothing more yet: %d\n", waitpid(c, &st, WNOHANG | WUNTRACED));
    kill(c, SIGCONT);
    r = waitpid(c, &st, WCONTINUED);
    printf("continued: %d\n", r == c && WIFCONTINUED(st));
    char buf[8] = {0};
    read(p[0], buf, 7);
    printf("child says %s\n", buf);
    write(q[1], "g", 1);
    waitpid(c, &st, 0);
    printf("exit %d\n", WEXITSTATUS(st));
    c = fork();
    if (c == 0) {
        // SIGSTOP, not SIGTSTP: Linux discards SIGTSTP in an orphaned process group,
        // which this test may well run in.
        raise(SIGSTOP);
        _exit(1);
    }
    siginfo_t si;
    memset(&si, 0, sizeof si);
    waitid(P_PID, c, &si, WSTOPPED);
    printf("waitid stopped: code=%s status=%s\n", si.si_code == CLD_STOPPED ? "CLD_STOPPED" : "other", si.si_status == SIGSTOP ? "SIGSTOP" : "other");
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
    printf("killed while stopped: %d\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    return 0;
}
