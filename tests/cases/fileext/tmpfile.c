// O_TMPFILE: unnamed files in tmpfs and in the root file system, naming them with
// linkat (AT_EMPTY_PATH, or /proc/self/fd/N with AT_SYMLINK_FOLLOW), O_EXCL ones
// that cannot be named, and the flag rules of open(2).
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define P(expr)                                                                              \
    do {                                                                                     \
        errno = 0;                                                                           \
        long r_ = (long)(expr);                                                              \
        int e_ = errno;                                                                      \
        printf("%-62s = %ld %s\n", #expr, r_, r_ < 0 ? strerrorname_np(e_) : "");             \
    } while (0)
#define OPENS(expr)                                                                          \
    do {                                                                                     \
        errno = 0;                                                                           \
        int fd_ = (expr);                                                                    \
        int e_ = errno;                                                                      \
        printf("%-62s : %s\n", #expr, fd_ >= 0 ? "opens" : strerrorname_np(e_));             \
        if (fd_ >= 0)                                                                        \
            close(fd_);                                                                      \
    } while (0)

static char D[128], B[256], L[64];

static const char *at(const char *name) {
    snprintf(B, sizeof B, "%s/%s", D, name);
    return B;
}

static const char *proc(int fd) {
    snprintf(L, sizeof L, "/proc/self/fd/%d", fd);
    return L;
}

static void link_name(int fd) {
    char t[256] = {0};
    readlink(proc(fd), t, sizeof t - 1);
    size_t n = strlen(D), k = strlen(t);
    int ok = strncmp(t, D, n) == 0 && t[n] == '/' && t[n + 1] == '#' && k > 10 && !strcmp(t + k - 10, " (deleted)");
    printf("fd link is <dir>/#<ino> (deleted): %d\n", ok);
}

static void in_dir(const char *dir) {
    snprintf(D, sizeof D, "%s", dir);
    printf("-- in %s\n", strncmp(dir, "/tmp", 4) == 0 ? "/tmp" : "/");
    umask(022);
    int f = open(D, O_TMPFILE | O_RDWR, 0666);
    printf("open: %d\n", f >= 0);
    struct stat st;
    fstat(f, &st);
    printf("regular %d mode %o nlink %ld\n", S_ISREG(st.st_mode), st.st_mode & 07777, (long)st.st_nlink);
    link_name(f);
    P(write(f, "data", 4));
    P(linkat(f, "", AT_FDCWD, at("named"), AT_EMPTY_PATH));
    fstat(f, &st);
    printf("nlink after linkat %ld\n", (long)st.st_nlink);
    link_name(f);
    int g = open(at("named"), O_RDONLY);
    char buf[16] = {0};
    P(read(g, buf, sizeof buf));
    printf("named file holds %s\n", buf);
    close(g);
    P(linkat(AT_FDCWD, proc(f), AT_FDCWD, at("named2"), AT_SYMLINK_FOLLOW));
    P(linkat(f, "", AT_FDCWD, at("named"), AT_EMPTY_PATH));
    int h = open(D, O_TMPFILE | O_WRONLY, 0600);
    P(linkat(AT_FDCWD, proc(h), AT_FDCWD, at("n3"), 0));
    P(linkat(AT_FDCWD, proc(h), AT_FDCWD, at("n3"), AT_SYMLINK_FOLLOW));
    int x = open(D, O_TMPFILE | O_RDWR | O_EXCL, 0600);
    printf("O_EXCL open: %d\n", x >= 0);
    P(linkat(x, "", AT_FDCWD, at("n4"), AT_EMPTY_PATH));
    P(linkat(AT_FDCWD, proc(x), AT_FDCWD, at("n4"), AT_SYMLINK_FOLLOW));
    // A named file whose last link goes cannot be linked again.
    int c = open(at("named"), O_RDWR);
    unlink(at("named"));
    unlink(at("named2"));
    P(linkat(c, "", AT_FDCWD, at("again"), AT_EMPTY_PATH));
    close(c);
    // The umask applies; the files are in no listing.
    umask(077);
    int z = open(D, O_TMPFILE | O_RDWR, 0666);
    fstat(z, &st);
    printf("mode under umask 077: %o\n", st.st_mode & 07777);
    int hashes = 0;
    DIR *d = opendir(D);
    struct dirent *e;
    while ((e = readdir(d)))
        hashes += e->d_name[0] == '#';
    closedir(d);
    printf("#names listed: %d\n", hashes);
    // Flag rules.
    OPENS(open(D, O_TMPFILE | O_RDONLY, 0600));
    OPENS(open(D, O_TMPFILE | O_WRONLY, 0600));
    OPENS(open(at("n3"), O_TMPFILE | O_RDWR, 0600));
    OPENS(open(at("missing"), O_TMPFILE | O_RDWR, 0600));
    OPENS(open(D, O_TMPFILE | O_RDWR | O_CREAT, 0600));
    OPENS(open(D, O_TMPFILE | O_PATH, 0600));
    OPENS(open(D, (O_TMPFILE & ~O_DIRECTORY) | O_RDWR, 0600));
    OPENS(open(D, O_DIRECTORY | O_RDWR, 0600));
    unlink(at("n3"));
    close(f);
    close(h);
    close(x);
    close(z);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    char t[64], r[64];
    snprintf(t, sizeof t, "/tmp/sbx-tmpfile-%d", getpid());
    snprintf(r, sizeof r, "/sbx-tmpfile-%d", getpid());
    mkdir(t, 0755);
    mkdir(r, 0755);
    in_dir(t);
    in_dir(r);
    rmdir(t);
    rmdir(r);
    printf("-- elsewhere\n");
    OPENS(open("/dev/shm", O_TMPFILE | O_RDWR, 0600));
    OPENS(open("/proc", O_TMPFILE | O_RDWR, 0600));
    OPENS(open("/", O_TMPFILE | O_RDWR, 0600));
    return 0;
}
