// Credentials: a root process drops to another user in a child; the saved-id rules
// and capabilities follow (run as root natively and under sbx).
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
static unsigned eff_caps(void) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    syscall(SYS_capget, &h, d);
    return d[0].effective;
}
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (getuid() != 0) {
        printf("not root: skipped\n");
        return 0;
    }
    printf("root has caps: %d\n", eff_caps() != 0);
    pid_t c = fork();
    if (c == 0) {
        gid_t g = 65534;
        printf("setgroups: %d\n", setgroups(1, &g));
        printf("setresgid: %d\n", setresgid(65534, 65534, 65534));
        printf("setresuid keep saved 0: %d\n", setresuid(65534, 65534, 0));
        uid_t r, e, s;
        getresuid(&r, &e, &s);
        printf("ids: %u %u %u caps now: %d\n", r, e, s, eff_caps() != 0);
        int back = seteuid(0);
        printf("back to 0 via saved: %d euid=%u caps=%d\n", back, geteuid(), eff_caps() != 0);
        printf("full drop: %d\n", setresuid(65534, 65534, 65534));
        int rr = setuid(0);
        printf("regain: %d %s caps=%d\n", rr, strerrorname_np(errno), eff_caps() != 0);
        rr = setgroups(0, NULL);
        printf("setgroups unprivileged: %d %s\n", rr, strerrorname_np(errno));
        _exit(0);
    }
    waitpid(c, NULL, 0);
    return 0;
}
