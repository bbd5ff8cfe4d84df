// MAP_SHARED memory really is shared: anonymous across fork, tmpfs files between
// mappings and with read/write, and futexes on it wake across processes.
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    int *anon = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    pid_t c = fork();
    if (c == 0) {
        anon[0] = 42;
        priv[0] = 42;
        // Wait for the parent's futex wake on shared memory.
        while (__atomic_load_n(&anon[1], __ATOMIC_SEQ_CST) == 0)
            syscall(SYS_futex, &anon[1], FUTEX_WAIT, 0, NULL, NULL, 0);
        _exit(anon[1]);
    }
    while (__atomic_load_n(&anon[0], __ATOMIC_SEQ_CST) != 42) usleep(1000);
    printf("child wrote shared=%d private=%d\n", anon[0], priv[0]);
    __atomic_store_n(&anon[1], 7, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, &anon[1], FUTEX_WAKE, 1, NULL, NULL, 0);
    int st;
    waitpid(c, &st, 0);
    printf("child exit=%d\n", WEXITSTATUS(st));

    int fd = open("/dev/shm/sbx-shared-case", O_CREAT | O_RDWR | O_TRUNC, 0600);
    ftruncate(fd, 8192);
    char *a = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *b = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    strcpy(a + 4096, "through a");
    printf("seen through b: %s\n", b + 4096);
    char buf[16] = {0};
    pread(fd, buf, 9, 4096);
    printf("seen by read: %s\n", buf);
    pwrite(fd, "by write", 8, 0);
    printf("seen in mapping: %.8s\n", a);
    munmap(a, 8192);
    munmap(b, 8192);
    close(fd);
    unlink("/dev/shm/sbx-shared-case");
    return 0;
}
