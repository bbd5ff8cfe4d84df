#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <stdatomic.h>
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long counter; static int ready;
static void *work(void *arg) {
  for (int i = 0; i < 20000; i++) { pthread_mutex_lock(&mu); counter++; pthread_mutex_unlock(&mu); }
  char *p = malloc(100000); p[99999] = 1; free(p);
  pthread_mutex_lock(&mu); ready++; pthread_cond_signal(&cv); pthread_mutex_unlock(&mu);
  return (void*)(long)gettid();
}
int main(){
  pthread_t th[8];
  for (int i = 0; i < 8; i++) pthread_create(&th[i], 0, work, 0);
  pthread_mutex_lock(&mu); while (ready < 8) pthread_cond_wait(&cv, &mu); pthread_mutex_unlock(&mu);
  for (int i = 0; i < 8; i++) { void *r; pthread_join(th[i], &r); if ((long)r == getpid()) return 3; }
  if (counter != 160000) return 2;
  return 42;
}
