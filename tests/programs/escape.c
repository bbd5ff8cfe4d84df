// Tries to reach host files outside what the sandbox was given. Run by
// tests/tests/escape.rs under `sbx run --root ROOT -v BASE/served:/data`:
//   escape BASE all       every probe; any read of the secret prints "LEAK"
//   escape BASE writes    only the write probes (for runs with the host root)
//   escape BASE hostrace  reads /data/hswap/secret.txt while the host swaps it
// BASE is the host directory holding secret.txt, outside/victim.txt and served/.
// The host checks afterwards that nothing outside served/ changed.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *base;
static int leaks;

/* Reads what `path` (relative to dirfd) leads to; a leak if it is the secret. */
static void probe_at(const char *label, int dirfd, const char *path) {
    char buf[256] = {0};
    int fd = openat(dirfd, path, O_RDONLY);
    int e = errno;
    if (fd < 0) {
        printf("ok   %-28s %s: %s\n", label, path, strerrorname_np(e));
        return;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n > 0 && strstr(buf, "TOP SECRET")) {
        printf("LEAK %-28s %s\n", label, path);
        leaks++;
    } else {
        printf("ok   %-28s %s: opened, not the secret\n", label, path);
    }
}

static void probe(const char *label, const char *path) { probe_at(label, AT_FDCWD, path); }

static void probe_fmt(const char *label, const char *fmt, const char *arg) {
    char p[4096];
    snprintf(p, sizeof p, fmt, arg);
    probe(label, p);
}

static long o2(int dirfd, const char *path, unsigned long long resolve) {
    struct open_how how = {.flags = O_RDONLY, .resolve = resolve};
    return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

static void probe_o2(const char *label, int dirfd, const char *path, unsigned long long resolve) {
    char buf[256] = {0};
    long fd = o2(dirfd, path, resolve);
    int e = errno;
    if (fd < 0) {
        printf("ok   %-28s %s: %s\n", label, path, strerrorname_np(e));
        return;
    }
    ssize_t n = read((int)fd, buf, sizeof buf - 1);
    close((int)fd);
    if (n > 0 && strstr(buf, "TOP SECRET")) {
        printf("LEAK %-28s %s\n", label, path);
        leaks++;
    } else {
        printf("ok   %-28s %s: opened, not the secret\n", label, path);
    }
}

/* Tries to change a host path; the host checks whether anything happened. */
static void attempt(const char *label, long r) {
    int e = errno;
    printf("try  %-28s = %ld %s\n", label, r, r < 0 ? strerrorname_np(e) : "");
}

static void with_base(char *out, size_t n, const char *suffix) { snprintf(out, n, "%s%s", base, suffix); }

static void writes(void) {
    char p[4096], q[4096];
    with_base(p, sizeof p, "/secret.txt");
    attempt("truncate secret", truncate(p, 0));
    attempt("open secret O_TRUNC", open(p, O_WRONLY | O_TRUNC));
    attempt("chmod secret", chmod(p, 0777));
    attempt("unlink secret", unlink(p));
    with_base(q, sizeof q, "/moved-secret");
    attempt("rename secret", rename(p, q));
    with_base(p, sizeof p, "/outside/victim.txt");
    int fd = open(p, O_WRONLY | O_APPEND);
    attempt("open victim O_APPEND", fd);
    if (fd >= 0) attempt("write victim", write(fd, "PWNED\n", 6)), close(fd);
    with_base(p, sizeof p, "/outside/new-by-guest");
    fd = open(p, O_CREAT | O_WRONLY, 0644);
    attempt("create in outside/", fd);
    if (fd >= 0) close(fd);
    with_base(p, sizeof p, "/outside/dir-by-guest");
    attempt("mkdir in outside/", mkdir(p, 0755));
    with_base(p, sizeof p, "/outside/link-by-guest");
    attempt("symlink in outside/", symlink("/etc/passwd", p));
    attempt("create /data/../x", open("/data/../created-above-data", O_CREAT | O_WRONLY, 0644));
    attempt("create via dangle", open("/data/dangle", O_CREAT | O_WRONLY, 0644));
    attempt("create via dangle_abs", open("/data/dangle_abs", O_CREAT | O_WRONLY, 0644));
    attempt("write via link_rel", open("/data/link_rel", O_CREAT | O_WRONLY | O_TRUNC, 0644));
    attempt("write via link_abs", open("/data/link_abs", O_WRONLY | O_TRUNC));
    attempt("mkdir via link_up", mkdir("/data/link_up/made-by-guest", 0755));
    attempt("rename out of /data", rename("/data/inside.txt", "/inside-moved"));
    attempt("link out of /data", link("/data/inside.txt", "/hardlink"));
    attempt("rename into link_up", rename("/data/inside.txt", "/data/link_up/inside-moved"));
    with_base(p, sizeof p, "/outside/hardlink");
    attempt("link to outside/", link("/data/inside.txt", p));
    /* A symlink made by the guest is resolved by the guest's kernel, not the host. */
    attempt("symlink g_dangle", symlink("../guest-dangle-target", "/data/g_dangle"));
    attempt("create via g_dangle", open("/data/g_dangle", O_CREAT | O_WRONLY, 0644));
    with_base(p, sizeof p, "/outside/guest-abs-target");
    attempt("symlink g_dangle_abs", symlink(p, "/data/g_dangle_abs"));
    attempt("create via g_dangle_abs", open("/data/g_dangle_abs", O_CREAT | O_WRONLY, 0644));
    attempt("mount", syscall(SYS_mount, "none", "/data", "tmpfs", 0, 0));
    attempt("umount", syscall(SYS_umount2, "/data", 0));
    attempt("pivot_root", syscall(SYS_pivot_root, "/data", "/data"));
}

/* Swaps /data/swap between a directory and a symlink to ".." (which on the host
 * would be BASE, holding the secret) while readers walk through it. */
static volatile int stop;

static void *swapper(void *arg) {
    (void)arg;
    while (!stop) {
        if (renameat2(AT_FDCWD, "/data/swap", AT_FDCWD, "/data/swap_other", RENAME_EXCHANGE) != 0) {
            rename("/data/swap", "/data/swap_tmp");
            rename("/data/swap_other", "/data/swap");
            rename("/data/swap_tmp", "/data/swap_other");
        }
    }
    return NULL;
}

static void *cwd_mover(void *arg) {
    (void)arg;
    while (!stop) {
        rename("/data/a", "/data/a2");
        rename("/data/a2", "/data/a");
        rename("/data/a/b", "/data/b_moved");
        rename("/data/b_moved", "/data/a/b");
    }
    return NULL;
}

static void races(void) {
    mkdir("/data/swapdir", 0755);
    int fd = open("/data/swapdir/secret.txt", O_CREAT | O_WRONLY, 0644);
    write(fd, "decoy\n", 6);
    close(fd);
    rename("/data/swapdir", "/data/swap");
    symlink("..", "/data/swap_other");
    pthread_t th;
    pthread_create(&th, NULL, swapper, NULL);
    int seen_decoy = 0, leaked = 0;
    for (int i = 0; i < 300; i++) {
        char buf[64] = {0};
        int f = open("/data/swap/secret.txt", O_RDONLY);
        if (f >= 0) {
            read(f, buf, sizeof buf - 1);
            close(f);
            if (strstr(buf, "TOP SECRET")) leaked++;
            if (strstr(buf, "decoy")) seen_decoy++;
        }
        f = open("/data/swap/created-in-race", O_CREAT | O_WRONLY, 0644);
        if (f >= 0) close(f);
        f = openat(AT_FDCWD, "/data/swap/../secret.txt", O_RDONLY);
        if (f >= 0) {
            read(f, buf, sizeof buf - 1);
            close(f);
            if (strstr(buf, "TOP SECRET")) leaked++;
        }
    }
    stop = 1;
    pthread_join(th, NULL);
    stop = 0;
    printf("%s symlink swap race: %d leaks\n", leaked ? "LEAK" : "ok  ", leaked);
    leaks += leaked;

    mkdir("/data/a", 0755);
    mkdir("/data/a/b", 0755);
    mkdir("/data/a/b/c", 0755);
    int cwdfd = open("/data/a/b/c", O_RDONLY | O_DIRECTORY);
    pthread_create(&th, NULL, cwd_mover, NULL);
    leaked = 0;
    for (int i = 0; i < 300; i++) {
        const char *paths[] = {"../../../../secret.txt", "../../../../../../../../../../secret.txt", "../../../secret.txt"};
        for (int k = 0; k < 3; k++) {
            char buf[64] = {0};
            int f = openat(cwdfd, paths[k], O_RDONLY);
            if (f >= 0) {
                read(f, buf, sizeof buf - 1);
                close(f);
                if (strstr(buf, "TOP SECRET")) leaked++;
            }
        }
    }
    stop = 1;
    pthread_join(th, NULL);
    stop = 0;
    close(cwdfd);
    printf("%s rename race: %d leaks\n", leaked ? "LEAK" : "ok  ", leaked);
    leaks += leaked;
}

static void host_race(void) {
    /* The host swaps served/hswap between a directory and a symlink to BASE. */
    time_t end = time(NULL) + 3;
    int tries = 0;
    while (time(NULL) < end) {
        char buf[64] = {0};
        int f = open("/data/hswap/secret.txt", O_RDONLY);
        if (f >= 0) {
            read(f, buf, sizeof buf - 1);
            close(f);
            if (strstr(buf, "TOP SECRET")) leaks++;
        }
        f = open("/data/hswap/created-in-host-race", O_CREAT | O_WRONLY, 0644);
        if (f >= 0) close(f);
        struct stat st;
        stat("/data/hswap", &st);
        tries++;
    }
    printf("%s host swap race: %d leaks\n", leaks ? "LEAK" : "ok  ", leaks);
}

static void reads(void) {
    probe("dotdot past root", "/../secret.txt");
    probe("many dotdots", "/../../../../../../secret.txt");
    probe("data dotdot", "/data/../secret.txt");
    probe("data dotdots", "/data/../../../../secret.txt");
    probe_fmt("data dotdots to base", "/data/../../../../../../../..%s/secret.txt", base);
    probe_fmt("host path", "%s/secret.txt", base);
    probe_fmt("host path via served", "%s/served/../secret.txt", base);
    chdir("/data");
    probe("relative dotdots", "../../../../../../secret.txt");
    probe_fmt("relative to base", "../../../../../../..%s/secret.txt", base);
    probe("link_abs", "/data/link_abs");
    probe("link_rel", "/data/link_rel");
    probe("link_up", "/data/link_up/secret.txt");
    probe_fmt("link_up to base", "/data/link_up%s/secret.txt", base);
    probe("link_base", "/data/link_base/secret.txt");
    probe("link_chain", "/data/link_chain");
    probe("rootlink", "/rootlink");
    symlink("../secret.txt", "/data/g_rel");
    char p[4096];
    snprintf(p, sizeof p, "%s/secret.txt", base);
    symlink(p, "/data/g_abs");
    symlink("..", "/data/g_up");
    probe("guest rel link", "/data/g_rel");
    probe("guest abs link", "/data/g_abs");
    probe("guest up link", "/data/g_up/secret.txt");
    probe("proc root", "/proc/self/root/../secret.txt");
    probe_fmt("proc root to base", "/proc/self/root%s/secret.txt", base);
    probe("proc cwd", "/proc/self/cwd/../../secret.txt");
    probe("proc 1 root", "/proc/1/root/../../secret.txt");
    probe("thread-self root", "/proc/thread-self/root/../secret.txt");
    int dfd = open("/data", O_RDONLY | O_DIRECTORY);
    snprintf(p, sizeof p, "/proc/self/fd/%d/../secret.txt", dfd);
    probe("proc fd dotdot", p);
    snprintf(p, sizeof p, "/proc/self/fd/%d/link_rel", dfd);
    probe("proc fd link", p);
    probe_at("dirfd dotdot", dfd, "../../secret.txt");
    probe_at("dirfd link_up", dfd, "link_up/secret.txt");
    pid_t c = fork();
    if (c == 0) {
        chdir("/data/link_up");
        sleep(1);
        _exit(0);
    }
    usleep(200000);
    snprintf(p, sizeof p, "/proc/%d/cwd/../secret.txt", c);
    probe("other pid cwd", p);
    snprintf(p, sizeof p, "/proc/%d/root/../secret.txt", c);
    probe("other pid root", p);
    waitpid(c, NULL, 0);
    probe_o2("IN_ROOT dotdot", dfd, "../secret.txt", RESOLVE_IN_ROOT);
    probe_o2("IN_ROOT abs", dfd, "/secret.txt", RESOLVE_IN_ROOT);
    probe_o2("IN_ROOT link_abs", dfd, "link_abs", RESOLVE_IN_ROOT);
    probe_o2("IN_ROOT link_rel", dfd, "link_rel", RESOLVE_IN_ROOT);
    probe_o2("IN_ROOT link_up", dfd, "link_up/secret.txt", RESOLVE_IN_ROOT);
    probe_o2("BENEATH link_rel", dfd, "link_rel", RESOLVE_BENEATH);
    probe_o2("BENEATH dotdot", dfd, "../secret.txt", RESOLVE_BENEATH);
    snprintf(p, sizeof p, "%s/secret.txt", base);
    probe_o2("IN_ROOT host path", dfd, p, RESOLVE_IN_ROOT);

    /* The classic chroot escape: a cwd left outside the new root. */
    c = fork();
    if (c == 0) {
        mkdir("/data/jail", 0755);
        chdir("/data");
        int r = chroot("/data/jail");
        printf("try  %-28s = %d\n", "chroot jail", r);
        for (int i = 0; i < 30; i++) chdir("..");
        chroot(".");
        probe("after chroot escape", "secret.txt");
        probe_fmt("after chroot escape host", "%s/secret.txt", base);
        probe_fmt("after chroot escape base", ".%s/secret.txt", base);
        fflush(stdout);
        _exit(leaks);
    }
    int st = 0;
    waitpid(c, &st, 0);
    if (WIFEXITED(st)) leaks += WEXITSTATUS(st);
    close(dfd);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 3) return 2;
    base = argv[1];
    if (!strcmp(argv[2], "all")) {
        reads();
        races();
        writes();
    } else if (!strcmp(argv[2], "writes")) {
        writes();
    } else if (!strcmp(argv[2], "hostrace")) {
        host_race();
    } else {
        return 2;
    }
    printf("DONE leaks=%d\n", leaks);
    return leaks ? 1 : 0;
}
