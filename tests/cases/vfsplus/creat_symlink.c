// sbx-test: static
// O_CREAT through symlinks: a dangling link creates its target.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *what, int fd) {
    int e = errno;
    if (fd >= 0) {
        printf("%-32s ok\n", what);
        close(fd);
    } else {
        printf("%-32s %s\n", what, strerrorname_np(e));
    }
    errno = 0;
}

static void exists(const char *p) {
    struct stat st;
    int r = lstat(p, &st);
    printf("  %-30s %s\n", p, r ? "missing" : S_ISLNK(st.st_mode) ? "link" : S_ISREG(st.st_mode) ? "file" : "other");
}

int main(void) {
    char tmpl[] = "/tmp/sbx-creat-XXXXXX";
    if (!mkdtemp(tmpl) || chdir(tmpl)) return 1;
    mkdir("d", 0755);
    char abs[256];
    snprintf(abs, sizeof abs, "%s/d/abs-target", tmpl);
    symlink("target1", "l1");
    symlink("d/target2", "l2");
    symlink("../target3", "d/l3");
    symlink(abs, "labs");
    symlink("l1", "chain");
    symlink("nodir/target", "lnodir");
    symlink("d/", "ldir");
    symlink("d/slash/", "lslash");
    symlink("..", "lup");
    symlink("loop", "loop");
    show("O_CREAT l1", open("l1", O_CREAT | O_WRONLY, 0600));
    exists("target1");
    show("O_CREAT l2", open("l2", O_CREAT | O_WRONLY, 0600));
    exists("d/target2");
    show("O_CREAT d/l3", open("d/l3", O_CREAT | O_WRONLY, 0600));
    exists("target3");
    show("O_CREAT labs", open("labs", O_CREAT | O_WRONLY, 0600));
    exists("d/abs-target");
    unlink("target1");
    show("O_CREAT chain", open("chain", O_CREAT | O_WRONLY, 0600));
    exists("target1");
    show("O_CREAT existing via chain", open("chain", O_CREAT | O_RDONLY, 0600));
    show("O_CREAT|O_EXCL l2", open("l2", O_CREAT | O_EXCL | O_WRONLY, 0600));
    unlink("d/target2");
    show("O_CREAT|O_EXCL dangling l2", open("l2", O_CREAT | O_EXCL | O_WRONLY, 0600));
    exists("d/target2");
    show("O_CREAT|O_NOFOLLOW l2", open("l2", O_CREAT | O_NOFOLLOW | O_WRONLY, 0600));
    show("O_CREAT lnodir", open("lnodir", O_CREAT | O_WRONLY, 0600));
    show("O_CREAT ldir", open("ldir", O_CREAT | O_WRONLY, 0600));
    show("O_CREAT lslash", open("lslash", O_CREAT | O_WRONLY, 0600));
    show("O_CREAT lup", open("lup", O_CREAT | O_WRONLY, 0600));
    show("O_CREAT loop", open("loop", O_CREAT | O_WRONLY, 0600));
    show("O_CREAT d/", open("d/", O_CREAT | O_WRONLY, 0600));
    show("O_CREAT d", open("d", O_CREAT | O_RDONLY, 0600));
    show("O_CREAT /proc", open("/proc", O_CREAT | O_RDONLY, 0600));
    show("O_CREAT /dev/null", open("/dev/null", O_CREAT | O_WRONLY, 0600));
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpl);
    chdir("/");
    return system(cmd);
}
