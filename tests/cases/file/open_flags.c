// sbx-test: static
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#define E(x) printf("%s -> %ld %s\n", #x, (long)(x), errno ? strerrorname_np(errno) : ""), errno = 0
int main(void) {
    const char *d = "/tmp/sbx-open-test";
    mkdir(d, 0755);
    chdir(d);
    errno = 0;
    umask(022);
    int fd;
    E(fd = open("f", O_CREAT | O_WRONLY | O_EXCL, 0666));
    E(write(fd, "abcdef", 6));
    close(fd);
    E(open("f", O_CREAT | O_EXCL | O_WRONLY, 0666));
    struct stat st;
    stat("f", &st);
    printf("mode=%o size=%ld nlink=%ld\n", st.st_mode, (long)st.st_size, (long)st.st_nlink);
    E(fd = open("f", O_WRONLY | O_TRUNC));
    fstat(fd, &st);
    printf("after trunc size=%ld\n", (long)st.st_size);
    close(fd);
    E(open("f", O_RDONLY | O_DIRECTORY));
    E(open("missing", O_RDONLY));
    E(open("missing/x", O_RDONLY));
    E(open("f/x", O_RDONLY));
    E(symlink("f", "link"));
    E(open("link", O_RDONLY | O_NOFOLLOW));
    E(fd = open("link", O_RDONLY));
    close(fd);
    E(open(".", O_WRONLY));
    E(open(".", O_RDONLY | O_DIRECTORY) >= 0);
    E(open("", O_RDONLY));
    E(fcntl(fd = open("f", O_RDWR | O_APPEND), F_GETFL) & (O_ACCMODE | O_APPEND));
    close(fd);
    E(fd = creat("g", 0600));
    stat("g", &st);
    printf("g mode=%o\n", st.st_mode);
    close(fd);
    unlink("g");
    unlink("link");
    unlink("f");
    chdir("/");
    E(rmdir(d));
    return 0;
}
