/*
 * tls_check HOST GOOD_PORT CASES
 *
 * Checks, in one process, that refused TLS connections leave nothing
 * behind. CASES is a file of lines "NAME PORT FAILURE": a server on PORT
 * of HOST that the client must refuse with the enum tls_failure named
 * FAILURE (see tls_failure_name). For each case
 * it fetches /files/1 over https twice and checks the failure, then that
 * no connection is live, that no session was kept for that server, and
 * that the process's usage is what it was before: its handles (the
 * kernel's handle list) and its heap (picolibc's mallinfo). The baseline
 * is taken after one good fetch from GOOD_PORT (whose session stays, the
 * only one) and one refused case, so that first-use allocations (stdio's
 * buffers, the trust store read from CERTS:) are in it. Prints a line per
 * check and "tls_check: N passed, M failed".
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <viper/component.h>
#include <viper/http.h>
#include <viper/posix.h>
#include <viper/program_slots.h>
#include <viper/syscall.h>
#include <viper/tls_client.h>

#include "https.h"

VIPER_PROGRAM_SLOTS({"console", "console"}, {"files", "files"}, {"assigns", "assigns"},
		    {"net", "net"}, {"entropy", "entropy"}, {"rtc", "rtc"});

static struct https https; /* fetch's TLS transport: entropy, rtc, CERTS: */
static struct http_result result;
static unsigned passed, failed;

#define CASES_MAX 32u
static struct {
	char name[32], want[32];
	unsigned port;
} cases[CASES_MAX];

static void check(bool ok, const char *what, const char *name)
{
	printf("tls_check: %s: %s: %s\n", name, what, ok ? "ok" : "FAILED");
	if (ok)
		passed++;
	else
		failed++;
}

static int get(const char *host, unsigned port)
{
	char url[HTTP_URL_MAX];
	struct http_get_options opt;

	snprintf(url, sizeof(url), "https://%s:%u/files/1", host, port);
	http_get_options_init(&opt);
	opt.https = &https.http;
	opt.timeout_ms = 20000;
	return http_get(&https.http, url, &opt, &result);
}

struct usage {
	int64_t handles;
	size_t heap;
};

static struct usage usage_now(void)
{
	struct mallinfo m = mallinfo();
	return (struct usage){viper_handle_list(NULL, 0), (size_t)m.uordblks};
}

/* One refused case: its failure, then nothing left behind. */
static void refused(const char *host, const char *name, unsigned port, const char *want,
		    const struct usage *base)
{
	int err = get(host, port);
	char what[96];

	snprintf(what, sizeof(what), "refused as %s (got %s: %s)", want,
		 tls_failure_name(https.tls.report.failure), https.tls.report.detail);
	check(err < 0 && strcmp(tls_failure_name(https.tls.report.failure), want) == 0, what, name);
	check(tls_connections_live() == 0, "no connection left", name);
	check(!tls_session_cache_has(&https.sessions, host, (uint16_t)port) &&
		      tls_session_cache_count(&https.sessions) == 1,
	      "no session kept", name);
	if (base) {
		struct usage now = usage_now();
		snprintf(what, sizeof(what), "usage unchanged (handles %lld, heap %zu bytes)",
			 (long long)now.handles, now.heap);
		check(now.handles == base->handles && now.heap == base->heap, what, name);
	}
}

int main(const struct viper_startup *s)
{
	int argc;
	char **argv;

	viper_posix_start(s, &argc, &argv);
	if (argc != 4) {
		printf("Usage: tls_check HOST GOOD_PORT CASES\n");
		return viper_posix_end(20);
	}
	FILE *list = fopen(argv[3], "r");
	unsigned count = 0;
	if (!list) {
		printf("tls_check: %s: cannot open it\n", argv[3]);
		return viper_posix_end(20);
	}
	while (count < CASES_MAX && fscanf(list, "%31s %u %31s", cases[count].name,
					   &cases[count].port, cases[count].want) == 3)
		count++;
	fclose(list);
	printf("tls_check: %u cases\n", count);
	https_init(&https, viper_slot(s, "entropy"), viper_slot(s, "rtc"));
	const char *host = argv[1];
	check(get(host, (unsigned)atoi(argv[2])) == HTTP_OK &&
		      tls_session_cache_count(&https.sessions) == 1,
	      "the good server is accepted, its session kept", "good");
	printf("tls_check: %zu anchors in CERTS:\n", https.trust.count);
	struct usage base = {0};
	for (int pass = 0; pass < 3; pass++) {
		for (unsigned i = 0; i < count; i++)
			refused(host, cases[i].name, cases[i].port, cases[i].want,
				pass ? &base : NULL);
		if (pass == 0)
			base = usage_now(); /* after every case's first-use allocations */
	}
	check(count > 0, "the case list is not empty", "cases");
	https_free(&https);
	printf("tls_check: %u passed, %u failed\n", passed, failed);
	return viper_posix_end(failed ? 10 : 0);
}
