/*
 * The HTTP/1.1 client library: URLs (viper/http_url.h), the request text
 * (viper/http_request.h), the response parser (viper/http_response.h) and
 * the GET driver over a transport (viper/http_client.h), with one error
 * type (viper/http_error.h). See platform/http/README.md.
 */
#ifndef VIPER_HTTP_H
#define VIPER_HTTP_H

#include <viper/http_client.h>
#include <viper/http_error.h>
#include <viper/http_request.h>
#include <viper/http_response.h>
#include <viper/http_url.h>

#endif
