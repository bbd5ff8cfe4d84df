// A baseline micro-benchmark: build with gcc -O2, run natively and under sbx run,
// compare (README, "Speed").
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(void){
  int n=20000; double t0=now(); for(int i=0;i<n;i++) syscall(SYS_getpid); double t1=now();
  printf("getpid_us %.3f\n",(t1-t0)/n*1e6);
  int m=200; t0=now(); for(int i=0;i<m;i++){pid_t p=fork(); if(p==0)_exit(0); waitpid(p,0,0);} t1=now();
  printf("fork_exit_wait_us %.1f\n",(t1-t0)/m*1e6);
  return 0;}
