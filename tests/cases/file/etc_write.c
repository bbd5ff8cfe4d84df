// Writing under /etc works (as root); under sbx it lands in the overlay only.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    const char *p = "/etc/sbx-etc-write-case";
    int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) { printf("open: %s\n", strerrorname_np(errno)); return 1; }
    write(fd, "data\n", 5);
    close(fd);
    char buf[16] = {0};
    fd = open(p, O_RDONLY);
    read(fd, buf, sizeof buf - 1);
    close(fd);
    printf("read back: %s", buf);
    FILE *f = fopen("/etc/os-release", "r");
    char line[128];
    fgets(line, sizeof line, f);
    printf("first line: %s", line);
    fclose(f);
    printf("unlink: %d\n", unlink(p));
    printf("again: %d %s\n", unlink(p), strerrorname_np(errno));
    return 0;
}
