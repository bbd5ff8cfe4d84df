// execve from a multi-threaded process ends the other threads first; the new image
// runs alone.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static void *spin(void *a) {
    (void)a;
    for (;;) usleep(1000);
    return NULL;
}
static void *blocked(void *a) {
    (void)a;
    pause();
    return NULL;
}
int main(int argc, char **argv) {
    if (argc > 1) {
        printf("new image, threads in /proc/self/status line: ");
        FILE *f = fopen("/proc/self/status", "r");
        char line[128];
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "Threads:", 8) == 0) printf("%s", line);
        return 0;
    }
    pthread_t a, b;
    pthread_create(&a, NULL, spin, NULL);
    pthread_create(&b, NULL, blocked, NULL);
    usleep(20000);
    fflush(stdout);
    execl("/proc/self/exe", argv[0], "again", (char *)NULL);
    perror("execl");
    return 1;
}
