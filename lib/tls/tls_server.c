/* tls_server.c - the server SSL_CTX from MERPATI_TLS_CERT / MERPATI_TLS_KEY */
#include "tls/tls.h"
#include "config/config.h"
#include "log/log.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

/* TLS 1.2 suites: forward secrecy and AEAD only (RFC 9325 4.2). TLS 1.3 keeps its defaults,
 * which are all of that kind. */
#define TLS_CIPHERS_12 "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!eNULL"

/* tls_error - the newest OpenSSL error as text, or fallback */
static const char *tls_error(const char *fallback)
{
	static __thread char buf[256];
	unsigned long e = ERR_peek_last_error();

	if (e == 0)
		return fallback;
	snprintf(buf, sizeof(buf), "%s: ", fallback);
	ERR_error_string_n(e, buf + strlen(buf), sizeof(buf) - strlen(buf));
	ERR_clear_error();
	return buf;
}

int tls_paths_from_config(struct tls_paths *out)
{
	const char *dir = config_str("MERPATI_STATE_DIR", "./var");
	const char *cert = config_str("MERPATI_TLS_CERT", NULL);
	const char *key = config_str("MERPATI_TLS_KEY", NULL);
	int a, b;

	a = cert != NULL ? snprintf(out->cert, sizeof(out->cert), "%s", cert)
			 : snprintf(out->cert, sizeof(out->cert), "%s/tls/cert.pem", dir);
	b = key != NULL ? snprintf(out->key, sizeof(out->key), "%s", key)
			: snprintf(out->key, sizeof(out->key), "%s/tls/key.pem", dir);
	return a < 0 || b < 0 || a >= (int)sizeof(out->cert) || b >= (int)sizeof(out->key)
		? -1 : 0;
}

/* ctx_common - protocol floor and options shared by server and client contexts */
static int ctx_common(SSL_CTX *ctx)
{
	/* Mail clients often close without close_notify; the protocols end their own data
	 * (".", QUIT, LOGOUT), so a bare EOF is reported as an EOF, not as an error. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
				 SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, TLS_CIPHERS_12))
		return -1;
	return 0;
}

SSL_CTX *tls_server_ctx_from_files(const char *cert_path, const char *key_path,
				   const char **error_r)
{
	static const unsigned char sid_ctx[] = "merpati";
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL || ctx_common(ctx) < 0) {
		*error_r = tls_error("cannot create the TLS context");
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_path) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key_path, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		*error_r = tls_error("cannot load the certificate and key (MERPATI_TLS_CERT/KEY)");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

SSL_CTX *tls_server_ctx_new(const char **error_r)
{
	struct tls_paths p;

	if (tls_paths_from_config(&p) < 0) {
		*error_r = "MERPATI_TLS_CERT, MERPATI_TLS_KEY or MERPATI_STATE_DIR too long";
		return NULL;
	}
	if (tls_selfsigned_ensure(p.cert, p.key, config_hostname(), error_r) < 0)
		return NULL;
	return tls_server_ctx_from_files(p.cert, p.key, error_r);
}

const char *tls_describe(const SSL *ssl, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s", SSL_get_version(ssl), SSL_get_cipher_name(ssl));
	return buf;
}

void tls_ctx_free(SSL_CTX **ctx)
{
	SSL_CTX_free(*ctx);
	*ctx = NULL;
}
