/* tls_client.c - client contexts for smtp-out: opportunistic or verifying (RFC 7435, 6125) */
#include "tls/tls.h"

#include <openssl/err.h>

SSL_CTX *tls_client_ctx_new(enum tls_verify verify, const char **error_r)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)) {
		*error_r = "cannot create the TLS client context";
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
				 SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (verify == TLS_VERIFY_PEER && SSL_CTX_set_default_verify_paths(ctx) != 1) {
		*error_r = "cannot load the system trust store";
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, verify == TLS_VERIFY_PEER ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
			   NULL);
	return ctx;
}

SSL *tls_client_ssl_new(SSL_CTX *ctx, const char *host, enum tls_verify verify)
{
	SSL *ssl = SSL_new(ctx);

	if (ssl == NULL)
		return NULL;
	/* SNI (RFC 6066 section 3), and with verification the name check of RFC 6125. */
	if (host != NULL && host[0] != '\0' && !SSL_set_tlsext_host_name(ssl, host)) {
		SSL_free(ssl);
		return NULL;
	}
	if (verify == TLS_VERIFY_PEER) {
		if (host == NULL || !SSL_set1_host(ssl, host)) {
			SSL_free(ssl);
			return NULL;
		}
		SSL_set_verify(ssl, SSL_VERIFY_PEER, NULL);
	} else {
		SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	}
	return ssl;
}
