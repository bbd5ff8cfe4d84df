#include <signal.h>
#include <unistd.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <sys/wait.h>
#include <sys/time.h>
static volatile int got;
static void h(int s){ got++; }
int main(){
  struct sigaction sa; memset(&sa,0,sizeof sa); sa.sa_handler=h; sigaction(SIGALRM,&sa,0);
  alarm(1);
  int r = pause();               // EINTR after handler
  if (r != -1 || errno != EINTR || got != 1) return 1;
  // SA_RESTART: a read from a pipe... (no pipes yet) use wait4 on a sleeping child
  sa.sa_flags = SA_RESTART; sigaction(SIGALRM,&sa,0);
  pid_t p = fork(); if (p == 0) { usleep(400000); _exit(4); }
  struct itimerval it = {{0,0},{0,100000}}; setitimer(ITIMER_REAL, &it, 0);
  int st; if (waitpid(p, &st, 0) != p || WEXITSTATUS(st) != 4 || got != 2) return 2;
  // without SA_RESTART wait4 fails with EINTR
  sa.sa_flags = 0; sigaction(SIGALRM,&sa,0);
  p = fork(); if (p == 0) { usleep(400000); _exit(4); }
  setitimer(ITIMER_REAL, &it, 0);
  if (waitpid(p, &st, 0) != -1 || errno != EINTR || got != 3) return 3;
  waitpid(p, &st, 0);
  // sigsuspend
  sigset_t m, old; sigemptyset(&m); sigaddset(&m, SIGUSR1); sigprocmask(SIG_BLOCK, &m, &old);
  signal(SIGUSR1, h);
  p = fork(); if (p == 0) { kill(getppid(), SIGUSR1); _exit(0); }
  sigset_t e; sigemptyset(&e); sigsuspend(&e);
  if (got != 4) return 4;
  sigprocmask(SIG_BLOCK, 0, &old); if (!sigismember(&old, SIGUSR1)) return 5;
  waitpid(p, &st, 0);
  // sleep interrupted by SIGALRM returns remaining
  alarm(1); unsigned left = sleep(3); if (left < 1 || left > 2) return 6;
  return 42;
}
