#include <unistd.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdlib.h>
int main(){
  int st; pid_t p = fork();
  if (p == 0) { _exit(7); }
  if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 7) return 1;
  p = fork();
  if (p == 0) { pause(); _exit(3); }
  kill(p, SIGTERM);
  if (waitpid(p, &st, 0) != p || !WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM) return 2;
  p = vfork();
  if (p == 0) { char *a[] = {"x", 0}; execve("/bin/true", a, 0); _exit(99); }
  if (waitpid(p, &st, 0) != p || WEXITSTATUS(st) != 0) return 3;
  if (waitpid(-1, &st, WNOHANG) != -1) return 4;
  int x = 5; p = fork(); if (p == 0) { x = 6; _exit(x); } waitpid(p, &st, 0); if (x != 5 || WEXITSTATUS(st) != 6) return 5;
  return 42;
}
