/* tls - OpenSSL contexts for Merpati's servers and for smtp-out (DESIGN.md section 5-6).
 *
 * Servers take their certificate from MERPATI_TLS_CERT and MERPATI_TLS_KEY (PEM). When
 * those are unset or the files do not exist yet, a self-signed pair (P-256, CN and SAN =
 * config_hostname()) is generated at first start and written where the variables point,
 * or by default to $MERPATI_STATE_DIR/tls/{cert,key}.pem (MERPATI_STATE_DIR defaults to
 * ./var). The files are written to a temporary name and renamed into place, the key with
 * mode 0600, so several services starting at once never see half a file; the next start
 * reuses them.
 *
 * Contexts allow TLS 1.2 and 1.3 only, with forward-secret AEAD ciphers.
 *
 *   SSL_CTX *ctx = tls_server_ctx_new(&error);
 *   if (ctx == NULL) { log_error("event=tls_error reason=%s", error); exit(1); }
 */
#ifndef MERPATI_TLS_H
#define MERPATI_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#define TLS_PATH_MAX 1024

/* Where the server's certificate and key live, after defaults are applied. */
struct tls_paths {
	char cert[TLS_PATH_MAX];
	char key[TLS_PATH_MAX];
};

/* tls_paths_from_config - MERPATI_TLS_CERT / MERPATI_TLS_KEY or their defaults under
 * MERPATI_STATE_DIR; -1 if a path does not fit */
int tls_paths_from_config(struct tls_paths *out);

/* tls_selfsigned_ensure - if cert or key is missing, generate a self-signed P-256 pair
 * for common_name and write both atomically (key 0600); 1 generated, 0 already there,
 * -1 on error with *error_r set */
int tls_selfsigned_ensure(const char *cert_path, const char *key_path,
			  const char *common_name, const char **error_r);

/* tls_server_ctx_new - a server SSL_CTX from the configured (or generated) pair;
 * NULL with *error_r on failure. Free with tls_ctx_free(). */
SSL_CTX *tls_server_ctx_new(const char **error_r);

/* tls_server_ctx_from_files - as above from explicit PEM files, no generation */
SSL_CTX *tls_server_ctx_from_files(const char *cert_path, const char *key_path,
				   const char **error_r);

/* How smtp-out treats the remote certificate. */
enum tls_verify {
	TLS_VERIFY_NONE,   /* opportunistic (RFC 7435): encrypt, accept any certificate */
	TLS_VERIFY_PEER,   /* chain to the system trust store and host name must match */
};

/* tls_client_ctx_new - a client SSL_CTX (system trust store loaded); NULL on error */
SSL_CTX *tls_client_ctx_new(enum tls_verify verify, const char **error_r);

/* tls_client_ssl_new - an SSL for one connection: SNI set to host, and with
 * TLS_VERIFY_PEER the host name checked against the certificate; NULL on error */
SSL *tls_client_ssl_new(SSL_CTX *ctx, const char *host, enum tls_verify verify);

/* tls_describe - "TLSv1.3 TLS_AES_256_GCM_SHA384" for logs and Received headers */
const char *tls_describe(const SSL *ssl, char *buf, size_t size);

/* tls_ctx_free - SSL_CTX_free and set *ctx = NULL */
void tls_ctx_free(SSL_CTX **ctx);

#endif
