/* tls-probe - load (or generate) the server certificate as a service would, and print
 * where it lives and its SHA-256 fingerprint, for tests/integration/test_bus.py */
#include "tls/tls.h"
#include "log/log.h"

#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

int main(void)
{
	const char *error = NULL;
	struct tls_paths p;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	SSL_CTX *ctx;

	log_init("tls-probe");
	if (tls_paths_from_config(&p) < 0 || (ctx = tls_server_ctx_new(&error)) == NULL) {
		printf("error=\"%s\"\n", error != NULL ? error : "paths");
		return 1;
	}
	if (!X509_digest(SSL_CTX_get0_certificate(ctx), EVP_sha256(), md, &len))
		return 1;
	printf("cert=%s key=%s sha256=", p.cert, p.key);
	for (unsigned int i = 0; i < len; i++)
		printf("%02x", md[i]);
	printf("\n");
	tls_ctx_free(&ctx);
	return 0;
}
