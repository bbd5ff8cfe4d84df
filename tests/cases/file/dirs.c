// sbx-test: static
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#define E(x) printf("%s -> %ld %s\n", #x, (long)(x), errno ? strerrorname_np(errno) : ""), errno = 0
static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }
static void list(const char *d) {
    DIR *dir = opendir(d);
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && n < 64) names[n++] = strdup(e->d_name);
    closedir(dir);
    qsort(names, n, sizeof *names, cmp);
    for (int i = 0; i < n; i++) printf("  %s\n", names[i]);
}
int main(void) {
    errno = 0;
    E(mkdir("/tmp/sbx-dirs", 0755));
    E(mkdir("/tmp/sbx-dirs", 0755));
    E(mkdir("/tmp/sbx-dirs/a", 0700));
    E(mkdir("/tmp/sbx-dirs/a/b", 0700));
    int fd = open("/tmp/sbx-dirs/file", O_CREAT | O_WRONLY, 0644);
    close(fd);
    list("/tmp/sbx-dirs");
    E(rmdir("/tmp/sbx-dirs/a"));
    E(rmdir("/tmp/sbx-dirs/file"));
    E(unlink("/tmp/sbx-dirs/a"));
    E(rename("/tmp/sbx-dirs/file", "/tmp/sbx-dirs/a/b/moved"));
    E(rename("/tmp/sbx-dirs/nothere", "/tmp/sbx-dirs/x"));
    E(rename("/tmp/sbx-dirs/a", "/tmp/sbx-dirs/a/b/c"));
    list("/tmp/sbx-dirs/a/b");
    E(chdir("/tmp/sbx-dirs/a/b"));
    char cwd[256];
    printf("cwd=%s\n", getcwd(cwd, sizeof cwd));
    E(getcwd(cwd, 3) == NULL);
    E(chdir(".."));
    printf("cwd=%s\n", getcwd(cwd, sizeof cwd));
    int dfd = open("/tmp/sbx-dirs", O_RDONLY | O_DIRECTORY);
    E(fchdir(dfd));
    printf("cwd=%s\n", getcwd(cwd, sizeof cwd));
    E(chdir("/tmp/sbx-dirs/a/b/moved"));
    E(unlink("a/b/moved"));
    E(rmdir("a/b"));
    E(rmdir("a"));
    E(chdir("/"));
    E(rmdir("/tmp/sbx-dirs"));
    E(access("/tmp/sbx-dirs", F_OK));
    E(access("/etc/passwd", R_OK));
    E(access("/bin/sh", X_OK));
    E(faccessat(AT_FDCWD, "/etc/passwd", F_OK, 0));
    return 0;
}
