// Orphans are reparented (to a subreaper when there is one), getppid follows, and
// waitpid's corner cases behave.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    int v = 0;
    prctl(PR_GET_CHILD_SUBREAPER, &v);
    printf("subreaper=%d\n", v);
    pid_t me = getpid();
    int p[2];
    pipe(p);
    pid_t mid = fork();
    if (mid == 0) {
        pid_t grand = fork();
        if (grand == 0) {
            close(p[0]);
            // Wait until the middle process is gone, then report the new parent.
            while (getppid() != me) usleep(1000);
            write(p[1], "reparented", 10);
            _exit(9);
        }
        _exit(3);
    }
    close(p[1]);
    int st;
    printf("mid: %d status=%d\n", waitpid(mid, &st, 0) == mid, WEXITSTATUS(st));
    char buf[16] = {0};
    read(p[0], buf, 10);
    printf("grandchild says: %s\n", buf);
    pid_t g = wait(&st);
    printf("reaped grandchild: %d status=%d\n", g > 0 && g != mid, WEXITSTATUS(st));
    printf("no more children: %d %s\n", wait(&st), strerrorname_np(errno));
    printf("bad options: %d %s\n", waitpid(-1, &st, 0x12345678), strerrorname_np(errno));
    pid_t c = fork();
    if (c == 0) { pause(); _exit(0); }
    printf("WNOHANG while running: %d\n", waitpid(c, &st, WNOHANG));
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
    printf("killed: signaled=%d sig=%d\n", WIFSIGNALED(st), WTERMSIG(st));
    siginfo_t si;
    c = fork();
    if (c == 0) _exit(5);
    memset(&si, 0, sizeof si);
    printf("waitid: %d\n", waitid(P_PID, c, &si, WEXITED));
    printf("si: signo=%d code=%d status=%d pid_ok=%d\n", si.si_signo, si.si_code, si.si_status, si.si_pid == c);
    printf("getpriority: %d\n", getpriority(PRIO_PROCESS, 0));
    struct tms t;
    printf("times ok: %d\n", times(&t) != (clock_t)-1);
    struct rusage ru;
    printf("getrusage: %d\n", getrusage(RUSAGE_SELF, &ru));
    return 0;
}
