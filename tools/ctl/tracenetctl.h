/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracenetctl: control plane and text consumer of tracenet devices.
 */
#ifndef _TRACENETCTL_H
#define _TRACENETCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uapi/linux/tracenet.h>

#define PROG	"tracenetctl"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Exit codes: usage errors differ from failures, as for most tools. */
#define EXIT_USAGE	2

/* main.c */
__attribute__((format(printf, 1, 2)))
void tn_error(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void tn_warn(const char *fmt, ...);
int tn_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool tn_is_help(const char *arg);
int tn_help(const char *cmd);
int tn_opt_error(const char *cmd, int c, char **argv);
bool tn_parse_count(const char *s, unsigned long long *val);
int tn_ifindex(const char *dev, unsigned int *ifindex);

/* events.c: tracefs events, parsed with libtraceevent */
struct tep_handle;
struct tep_event;
struct tep_format_field;

struct tn_evdesc {
	char system[TRACENET_MAX_NAME];
	char name[TRACENET_MAX_NAME];
	char *format;			/* the tracefs format text */
	struct tep_event *event;
	struct tep_format_field **fields;	/* non-common, NULL-terminated */
	unsigned int nfields;
};

int tn_event_split(const char *spec, char *system, char *name);
char **tn_event_expand(char **specs, size_t *count);
void tn_specs_free(char **specs);
struct tep_handle *tn_tep_new(void);
int tn_event_load(struct tep_handle *tep, const char *system,
		  const char *name, struct tn_evdesc *d);
int tn_event_parse(struct tep_handle *tep, const char *system,
		   const char *name, char *format, struct tn_evdesc *d);
void tn_event_release(struct tn_evdesc *d);

void tn_print_fields(const struct tn_evdesc *d);

/* genl.c: the generic netlink family */
struct nlmsghdr;
struct nlattr;
struct mnl_socket;

struct tn_nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	char *buf;			/* TN_NL_BUFSIZE, requests and replies */
	char extack[256];		/* message of the last error, or "" */
};

#define TN_NL_BUFSIZE	65536

typedef int (*tn_nl_cb)(const struct nlmsghdr *nlh, void *data);

int tn_nl_open(struct tn_nl *nl);
void tn_nl_close(struct tn_nl *nl);
struct nlmsghdr *tn_nl_request(struct tn_nl *nl, uint8_t cmd, uint16_t flags);
int tn_nl_talk(struct tn_nl *nl, struct nlmsghdr *nlh, tn_nl_cb cb,
	       void *data);
int tn_get_raw_pointers(struct tn_nl *nl, const char *dev, unsigned int ifindex);
void tn_nl_report(struct tn_nl *nl, int err, const char *what,
		  const char *verb);

/* attach.c, list.c, status.c, dump.c, formats.c, filter.c: the commands */
int cmd_list(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_formats(int argc, char **argv);
int cmd_filter(int argc, char **argv);
int cmd_follow(int argc, char **argv);
int cmd_forward(int argc, char **argv);
int cmd_pointers(int argc, char **argv);

/* attach.c, for follow */
int tn_attach_event(const char *dev, unsigned int ifindex, const char *spec);
int tn_detach_event(struct tn_nl *nl, const char *dev, unsigned int ifindex,
		    uint32_t id);

#endif /* _TRACENETCTL_H */
