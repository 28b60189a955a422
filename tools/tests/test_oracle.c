// SPDX-License-Identifier: GPL-2.0
/*
 * The oracle, on the host: real kernel records read from a private tracefs
 * instance are (1) printed by libtraceevent straight from ftrace's buffer,
 * as trace-cmd report does, and (2) cut into tracenet frames the way the
 * module's frame.c cuts them, then decoded by decode.c. Both lines must be
 * identical. Needs root and tracefs; skipped otherwise.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <event-parse.h>
#include <tracefs.h>
#include "decode.h"
#include "enc.h"
#include "record.h"
#include "tap.h"

#define INSTANCE	"tracenetctl_unit_test"
#define MAX_RECORDS	20000
#define MAX_IDS		65536

static const char *const events[][2] = {
	{ "sched", NULL }, { "signal", NULL }, { "task", NULL },
	{ "timer", NULL }, { "irq", NULL }, { "net", NULL },
	{ "workqueue", NULL }, { "kmem", "kmalloc" }, { "kmem", "kfree" },
	{ "syscalls", "sys_enter_openat" }, { "syscalls", "sys_exit_openat" },
};

struct oracle {
	struct tep_handle *tep;
	struct tn_decoder d;
	char *out;
	size_t out_len;
	FILE *fout;
	struct trace_seq ref;
	struct enc *e;
	bool *meta_sent;
	uint64_t seq[1024];
	unsigned int records, same, differ, skipped;
	unsigned long long frame;
	char first_diff[2][1024];
};

static void workload(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9) };
	char *argv[] = { "/bin/true", NULL };
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i, fd, status;
	pid_t pid;

	for (i = 0; i < 3; i++)
		if (!posix_spawn(&pid, argv[0], NULL, NULL, argv, NULL))
			waitpid(pid, &status, 0);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0) {
		sendto(fd, "x", 1, 0, (struct sockaddr *)&sin, sizeof(sin));
		close(fd);
	}
	fd = open("/etc/hostname", 0);
	if (fd >= 0)
		close(fd);
	nanosleep(&ts, NULL);
}

static void send_meta(struct oracle *o, struct tep_event *event)
{
	struct tep_format_field **fields = tep_event_fields(event);
	char *format;
	size_t m;
	int size, i;

	format = tracefs_event_file_read(NULL, event->system, event->name,
					 "format", &size);
	enc_init(o->e);
	enc_eth(o->e, enc_mac);
	enc_hdr(o->e, TRACENET_FRAME_META, TRACENET_F_LONG64, 0, 1, 0);
	m = enc_meta(o->e, (uint32_t)event->id);
	enc_meta_str(o->e, TRACENET_META_SYSTEM, event->system);
	enc_meta_str(o->e, TRACENET_META_NAME, event->name);
	enc_meta_str(o->e, TRACENET_META_FORMAT, format ? format : "");
	for (i = 0; fields && fields[i]; i++)
		enc_meta_field(o->e, (uint16_t)fields[i]->offset,
			       (uint16_t)fields[i]->size,
			       tn_field_flags(fields[i]->flags), fields[i]->name,
			       fields[i]->type);
	enc_end(o->e, m);
	tn_decode_eth(&o->d, o->e->buf, o->e->len, ++o->frame);
	free(fields);
	free(format);
}

/* frame.c's tn_field_span(): where a field's bytes are in the record. */
static bool field_span(const struct tep_format_field *f, const struct tep_record *r,
		       uint32_t *off, uint32_t *len)
{
	uint32_t loc;

	if ((uint32_t)(f->offset + f->size) > (uint32_t)r->size)
		return false;
	if (!(f->flags & TEP_FIELD_IS_DYNAMIC)) {
		*off = (uint32_t)f->offset;
		*len = (uint32_t)f->size;
		return true;
	}
	memcpy(&loc, (uint8_t *)r->data + f->offset, 4);
	*off = loc & 0xffff;
	*len = loc >> 16;
	if (f->flags & TEP_FIELD_IS_RELATIVE)
		*off += (uint32_t)(f->offset + f->size);
	return *off + *len <= (uint32_t)r->size;
}

static bool send_event(struct oracle *o, struct tep_event *event,
		       struct tep_record *r, const char *comm)
{
	struct tep_format_field **fields = tep_event_fields(event);
	const uint8_t *data = r->data;
	uint32_t off, len, pid;
	size_t ev;
	int i, n = 0;

	while (fields && fields[n])
		n++;
	enc_init(o->e);
	enc_eth(o->e, enc_mac);
	enc_hdr(o->e, TRACENET_FRAME_EVENTS, TRACENET_F_LONG64, (uint16_t)r->cpu,
		1, o->seq[r->cpu]++);
	memcpy(&pid, data + 4, 4);
	ev = enc_event(o->e, (uint32_t)event->id, r->ts, pid, comm, (uint16_t)n);
	o->e->buf[ev + 20] = data[2];
	o->e->buf[ev + 21] = data[3];
	for (i = 0; i < n; i++) {
		if (!field_span(fields[i], r, &off, &len)) {
			free(fields);
			return false;
		}
		enc_tlv(o->e, (uint16_t)i, data + off, (uint16_t)len);
	}
	enc_end(o->e, ev);
	free(fields);
	tn_decode_eth(&o->d, o->e->buf, o->e->len, ++o->frame);
	return true;
}

/* The decoder's line for the frame just sent, without its newline: the
 * memstream is rewound before each frame.
 */
static const char *decoded_line(struct oracle *o)
{
	fflush(o->fout);
	if (!o->out_len || o->out[o->out_len - 1] != '\n')
		return "";
	o->out[o->out_len - 1] = '\0';
	return o->out;
}

static int on_record(struct tep_event *event, struct tep_record *r, int cpu,
		     void *data)
{
	struct oracle *o = data;
	const char *got;
	char comm[17];
	int pid;

	(void)cpu;
	if (o->records++ >= MAX_RECORDS || r->cpu >= 1024 || r->size < 8)
		return o->records > MAX_RECORDS;
	pid = tep_data_pid(o->tep, r);
	snprintf(comm, sizeof(comm), "%s", tep_data_comm_from_pid(o->tep, pid));
	if (!o->meta_sent[event->id & 0xffff]) {
		send_meta(o, event);
		o->meta_sent[event->id & 0xffff] = true;
	}
	tn_format_event(&o->ref, o->tep, event, r);
	rewind(o->fout);
	if (!send_event(o, event, r, comm)) {
		o->skipped++;
		return 0;
	}
	got = decoded_line(o);
	if (!strcmp(got, o->ref.buffer)) {
		o->same++;
		return 0;
	}
	if (!o->differ++) {
		snprintf(o->first_diff[0], sizeof(o->first_diff[0]), "%s", o->ref.buffer);
		snprintf(o->first_diff[1], sizeof(o->first_diff[1]), "%s", got);
	}
	return 0;
}

static struct tracefs_instance *record(void)
{
	struct tracefs_instance *inst = tracefs_instance_create(INSTANCE);
	unsigned int i;

	if (!inst)
		return NULL;
	tracefs_instance_file_write(inst, "buffer_size_kb", "2048");
	for (i = 0; i < ARRAY_SIZE(events); i++)
		tracefs_event_enable(inst, events[i][0], events[i][1]);
	tracefs_trace_on(inst);
	workload();
	tracefs_trace_off(inst);
	tracefs_event_disable(inst, NULL, NULL);
	return inst;
}

/* What tracefs_local_events() gives the reference: kernel symbols and
 * printk formats, handed to the decoder as "dump -k" does.
 */
static void load_symbols(struct tn_decoder *d)
{
	size_t len = 0, size = 1 << 20;
	FILE *f = fopen("/proc/kallsyms", "r");
	char *buf = malloc(size);
	int psize;

	while (f && buf && !feof(f)) {
		len += fread(buf + len, 1, size - len - 1, f);
		if (size - len <= 1)
			buf = realloc(buf, size *= 2);
	}
	if (f)
		fclose(f);
	if (buf)
		buf[len] = '\0';
	d->kallsyms = buf;
	d->printk_formats = tracefs_instance_file_read(NULL, "printk_formats",
							&psize);
}

static void compare(struct tracefs_instance *inst)
{
	struct oracle *o = calloc(1, sizeof(*o));

	o->e = calloc(1, sizeof(*o->e));
	o->meta_sent = calloc(MAX_IDS, sizeof(bool));
	o->fout = open_memstream(&o->out, &o->out_len);
	o->tep = tracefs_local_events(NULL);
	tn_decoder_init(&o->d, o->fout, stderr);
	load_symbols(&o->d);
	trace_seq_init(&o->ref);
	if (o->tep) {
		tep_load_plugins(o->tep);
		tracefs_load_cmdlines(NULL, o->tep);
		tracefs_iterate_raw_events(o->tep, inst, NULL, 0, on_record, o);
	}
	tap_diag("oracle: %u records, %u identical, %u different, %u skipped",
		 o->records, o->same, o->differ, o->skipped);
	if (!tap_ok(o->same > 10 && !o->differ,
		    "real kernel records: decoded frames print exactly as trace-cmd would"))
		tap_diag("first difference:\n#   ref: '%s'\n#   got: '%s'",
			 o->first_diff[0], o->first_diff[1]);
	tap_ok(!o->d.malformed && !o->d.unknown && !o->d.lost,
	       "oracle frames: nothing malformed, unknown or lost");
	tn_decoder_free(&o->d);
	trace_seq_destroy(&o->ref);
	fclose(o->fout);
	free(o->out);
	if (o->tep)
		tep_free(o->tep);
	free(o->meta_sent);
	free(o->e);
	free(o);
}

void test_oracle(void)
{
	struct tracefs_instance *inst;

	tap_diag("oracle: host kernel records through frames vs libtraceevent");
	if (geteuid() || !tracefs_tracing_dir()) {
		tap_skip("needs root and tracefs", "oracle: decoded frames match");
		tap_skip("needs root and tracefs", "oracle: nothing malformed");
		return;
	}
	inst = record();
	if (!inst) {
		tap_skip("cannot create a tracefs instance", "oracle: decoded frames match");
		tap_skip("cannot create a tracefs instance", "oracle: nothing malformed");
		return;
	}
	compare(inst);
	tracefs_instance_destroy(inst);
	tracefs_instance_free(inst);
}
