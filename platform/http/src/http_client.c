/* GET over a transport, following redirects: see viper/http_client.h. */
#include <viper/http_client.h>

#include <string.h>

#include <viper/http_request.h>

/*
 * The buffer for the request and each recv: a whole TLS record (16 KiB),
 * so a body arrives in few large slices (each a write for a program that
 * stores it), and room for the longest request.
 */
#define HTTP_IO_BYTES 16384u
_Static_assert(HTTP_IO_BYTES > HTTP_REQUEST_MAX, "the request fits the buffer");

/* exchange's answer when the response is a redirect to follow (run->next). */
#define GET_REDIRECT 1

/* One http_get call. */
struct get_run {
	const struct http_transport *t;	   /* the caller's, for http URLs */
	const struct http_transport *conn; /* the transport of the exchange under way */
	struct http_get_options opt;
	struct http_result *res;
	struct http_url url;  /* being requested */
	struct http_url next; /* a redirect's Location, resolved */
	struct http_response resp;
	bool in_body; /* the final body is coming: report progress */
	uint64_t reported;
	size_t io_pos, io_len;	/* received bytes in io not fed yet */
	char io[HTTP_IO_BYTES]; /* the request, then what recv gives */
};

void http_get_options_init(struct http_get_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->max_redirects = HTTP_REDIRECTS_DEFAULT;
	opt->timeout_ms = HTTP_TIMEOUT_DEFAULT;
}

bool http_status_is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

const char *http_result_url(const struct http_result *res)
{
	return res->chain[res->redirects];
}

/* A transport's error as the client reports it: unknown codes are HTTP_E_NETWORK. */
static int transport_error(int n)
{
	return n < 0 && http_error_is_known(n) ? n : HTTP_E_NETWORK;
}

/* The transport for a scheme, or NULL: https only when the options give a TLS transport. */
static const struct http_transport *transport_for(const struct get_run *run,
						  enum http_scheme scheme)
{
	return scheme == HTTP_SCHEME_HTTP ? run->t : run->opt.https;
}

static int send_all(const struct http_transport *t, const char *buf, size_t len)
{
	while (len > 0) {
		int n = t->send(t->ctx, buf, len);

		if (n < 0)
			return transport_error(n);
		if (n == 0 || (size_t)n > len)
			return HTTP_E_NETWORK; /* the transport broke its contract */
		buf += n;
		len -= (size_t)n;
	}
	return HTTP_OK;
}

static void progress_report(struct get_run *run)
{
	if (!run->in_body || !run->opt.progress || run->resp.body_bytes == run->reported)
		return;
	run->reported = run->resp.body_bytes;
	run->opt.progress(run->opt.ctx, run->reported, run->resp.content_length);
}

/*
 * Feeds the parser what is left in io, then what recv gives, until it
 * reaches an event: HTTP_PARSE_HEADERS or _DONE, or an error. The end of
 * the stream goes to http_response_finish.
 */
static int pump(struct get_run *run)
{
	for (;;) {
		size_t used;
		int ev = http_response_feed(&run->resp, (const uint8_t *)run->io + run->io_pos,
					    run->io_len - run->io_pos, &used);
		int n;

		run->io_pos += used;
		progress_report(run);
		if (ev != HTTP_PARSE_MORE)
			return ev;
		n = run->conn->recv(run->conn->ctx, run->io, sizeof(run->io));
		if (n < 0)
			return transport_error(n);
		if ((size_t)n > sizeof(run->io))
			return HTTP_E_NETWORK;
		if (n == 0) {
			int err = http_response_finish(&run->resp);
			return err ? err : HTTP_PARSE_DONE;
		}
		run->io_pos = 0;
		run->io_len = (size_t)n;
	}
}

/* Resolves a redirect's Location into run->next: GET_REDIRECT, or why not. */
static int redirect_target(struct get_run *run)
{
	int err;

	if (run->resp.location_too_long)
		return HTTP_E_URL_TOO_LONG;
	if (!run->resp.location[0])
		return HTTP_E_BAD_RESPONSE;
	err = http_url_resolve(&run->url, run->resp.location, &run->next);
	if (err == HTTP_E_BAD_URL)
		return HTTP_E_BAD_RESPONSE; /* the server's URL, not the user's */
	return err ? err : GET_REDIRECT;
}

/* Reads the response to the request sent: its header block, and the body of a 2xx. */
static int response_read(struct get_run *run)
{
	struct http_result *res = run->res;
	int ev;

	http_response_init(&run->resp, run->opt.sink, run->opt.ctx);
	run->io_pos = run->io_len = 0;
	run->in_body = false;
	ev = pump(run);
	if (ev != HTTP_PARSE_HEADERS)
		return ev < 0 ? ev : HTTP_E_BAD_RESPONSE;
	res->status = run->resp.status;
	memcpy(res->reason, run->resp.reason, sizeof(res->reason));
	res->content_length = run->resp.content_length;
	res->chunked = run->resp.chunked;
	if (http_status_is_redirect(res->status))
		return redirect_target(run);
	if (res->status < 200 || res->status > 299)
		return HTTP_E_STATUS; /* its body is not the resource: not read */
	run->in_body = true;
	run->reported = 0;
	if (run->opt.progress)
		run->opt.progress(run->opt.ctx, 0, res->content_length);
	ev = pump(run);
	res->body_bytes = run->resp.body_bytes;
	res->sink_error = run->resp.sink_error;
	return ev < 0 ? ev : HTTP_OK;
}

/* One request to run->url on a connection of its own: 0, GET_REDIRECT or an error. */
static int exchange(struct get_run *run)
{
	const struct http_transport *t = transport_for(run, run->url.scheme);
	int len, err;

	if (!t)
		return HTTP_E_UNSUPPORTED_SCHEME;
	len = http_request_format(&run->url, run->io, sizeof(run->io));
	if (len < 0)
		return len;
	err = t->connect(t->ctx, run->url.host, run->url.port, run->opt.timeout_ms);
	if (err < 0)
		return transport_error(err);
	run->conn = t;
	err = send_all(t, run->io, (size_t)len);
	if (err == HTTP_OK)
		err = response_read(run);
	t->close(t->ctx);
	return err;
}

/* Makes run->next the URL to request, unless it was requested before or the limit is reached. */
static int follow(struct get_run *run)
{
	struct http_result *res = run->res;
	int n = http_url_format(&run->next, run->io, sizeof(run->io));

	if (n < 0)
		return n;
	for (unsigned i = 0; i <= res->redirects; i++)
		if (strcmp(res->chain[i], run->io) == 0)
			return HTTP_E_REDIRECT_LOOP;
	if (res->redirects >= run->opt.max_redirects)
		return HTTP_E_TOO_MANY_REDIRECTS;
	res->redirects++;
	memcpy(res->chain[res->redirects], run->io, (size_t)n + 1);
	run->url = run->next;
	return HTTP_OK;
}

/* Checks the arguments and parses the URL: nothing reaches the transport before this. */
static int get_start(struct get_run *run, const struct http_transport *t, const char *url,
		     const struct http_get_options *opt)
{
	int n;

	if (!t || !t->connect || !t->send || !t->recv || !t->close || !url)
		return HTTP_E_INVALID;
	if (opt)
		run->opt = *opt;
	else
		http_get_options_init(&run->opt);
	if (run->opt.max_redirects > HTTP_REDIRECTS_MAX)
		return HTTP_E_INVALID;
	const struct http_transport *s = run->opt.https;
	if (s && (!s->connect || !s->send || !s->recv || !s->close))
		return HTTP_E_INVALID;
	run->t = t;
	n = http_url_parse(url, &run->url);
	if (n < 0)
		return n;
	n = http_url_format(&run->url, run->res->chain[0], sizeof(run->res->chain[0]));
	return n < 0 ? n : HTTP_OK;
}

int http_get(const struct http_transport *t, const char *url, const struct http_get_options *opt,
	     struct http_result *res)
{
	struct get_run run;
	int err;

	if (!res)
		return HTTP_E_INVALID;
	memset(res, 0, sizeof(*res));
	res->content_length = HTTP_LENGTH_UNKNOWN;
	run.res = res;
	err = get_start(&run, t, url, opt);
	while (err == HTTP_OK) {
		err = exchange(&run);
		if (err != GET_REDIRECT)
			break;
		err = follow(&run);
	}
	res->error = err;
	return err;
}
