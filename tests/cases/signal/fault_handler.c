#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>
static volatile double d = 1.5;
static void h(int s, siginfo_t *si, void *uc) { d *= 2; if (s == SIGSEGV) { _exit(40 + (si->si_addr == (void*)16)); } }
int main(){ struct sigaction sa; memset(&sa,0,sizeof sa); sa.sa_sigaction=h; sa.sa_flags=SA_SIGINFO; sigaction(SIGUSR1,&sa,0); sigaction(SIGSEGV,&sa,0);
 double x = 3.25; raise(SIGUSR1); raise(SIGUSR1); if (x != 3.25 || d != 6.0) return 5;
 signal(SIGUSR2, SIG_IGN); raise(SIGUSR2);
 *(volatile int*)16 = 1; return 7; }
