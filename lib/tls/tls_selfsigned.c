/* tls_selfsigned.c - a self-signed P-256 certificate made at first start, written atomically.
 *
 * Several services of one host may start at the same moment with the same paths: an
 * exclusive flock on "<key>.lock" serialises them, so exactly one generates and the others
 * find the finished pair. Each file is written under a temporary name and renamed, so a
 * reader never sees half a PEM file. */
#include "tls/tls.h"
#include "log/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define SELFSIGNED_DAYS 825        /* what browsers and clients still accept */
#define SELFSIGNED_CN_MAX 64       /* RFC 5280 ub-common-name */

/* mkdir_parents - create the directories above path (like mkdir -p of its dirname) */
static int mkdir_parents(const char *path)
{
	char buf[TLS_PATH_MAX];

	if (strlen(path) >= sizeof(buf))
		return -1;
	strcpy(buf, path);
	for (char *p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* add_ext - one X.509v3 extension from its config-style value */
static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* add_san - subjectAltName DNS:name, built as a structure so that no character of the
 * name is ever read as configuration syntax */
static int add_san(X509 *x, const char *name)
{
	GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *gen = GENERAL_NAME_new();
	ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
	int ok = names != NULL && gen != NULL && ia5 != NULL &&
		 ASN1_STRING_set(ia5, name, -1);

	if (ok) {
		GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
		ia5 = NULL;
		ok = sk_GENERAL_NAME_push(names, gen) > 0;
		if (ok)
			gen = NULL;
	}
	ok = ok && X509_add1_ext_i2d(x, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1;
	ASN1_IA5STRING_free(ia5);
	GENERAL_NAME_free(gen);
	GENERAL_NAMES_free(names);
	return ok ? 0 : -1;
}

/* set_names - subject = issuer = CN=name; SAN DNS:name (RFC 6125 6.4.4: clients match
 * the SAN, the CN is only for people) */
static int set_names(X509 *x, const char *name)
{
	X509_NAME *subject = X509_get_subject_name(x);

	if (strlen(name) <= SELFSIGNED_CN_MAX &&
	    !X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
					(const unsigned char *)name, -1, -1, 0))
		return -1;
	if (!X509_set_issuer_name(x, subject))
		return -1;
	if (add_san(x, name) < 0 ||
	    add_ext(x, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(x, NID_key_usage, "critical,digitalSignature") < 0 ||
	    add_ext(x, NID_ext_key_usage, "serverAuth") < 0)
		return -1;
	return 0;
}

/* make_cert - a self-signed certificate for pkey and name, valid from an hour ago */
static X509 *make_cert(EVP_PKEY *pkey, const char *name)
{
	X509 *x = X509_new();
	BIGNUM *serial = BN_new();
	int ok;

	ok = x != NULL && serial != NULL && X509_set_version(x, 2) &&
	     BN_rand(serial, 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) &&
	     BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) != NULL &&
	     X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL &&
	     X509_gmtime_adj(X509_getm_notAfter(x), 86400L * SELFSIGNED_DAYS) != NULL &&
	     X509_set_pubkey(x, pkey) && set_names(x, name) == 0 &&
	     X509_sign(x, pkey, EVP_sha256()) > 0;
	BN_free(serial);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* write_atomic - write a PEM through writer into "<path>.tmp.XXXXXX" with mode, then
 * fsync and rename over path */
static int write_atomic(const char *path, mode_t mode,
			int (*writer)(FILE *f, void *obj), void *obj)
{
	char tmp[TLS_PATH_MAX + 16];
	FILE *f;
	int fd, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return -1;
	if ((fd = mkstemp(tmp)) < 0)
		return -1;
	if (fchmod(fd, mode) != 0 || (f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	ok = writer(f, obj) && fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* write_key - PEM_write_PrivateKey for write_atomic */
static int write_key(FILE *f, void *pkey)
{
	return PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL);
}

/* write_cert - PEM_write_X509 for write_atomic */
static int write_cert(FILE *f, void *x)
{
	return PEM_write_X509(f, x);
}

/* generate - a new pair written to both paths, the key first */
static int generate(const char *cert_path, const char *key_path, const char *name)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	X509 *x = pkey != NULL ? make_cert(pkey, name) : NULL;
	int rc = -1;

	if (x != NULL && mkdir_parents(cert_path) == 0 &&
	    write_atomic(key_path, 0600, write_key, pkey) == 0 &&
	    write_atomic(cert_path, 0644, write_cert, x) == 0)
		rc = 0;
	X509_free(x);
	EVP_PKEY_free(pkey);
	return rc;
}

/* lock_pair - an exclusive lock next to the key, held while we look and generate */
static int lock_pair(const char *key_path)
{
	char lock[TLS_PATH_MAX + 8];
	int fd;

	if (snprintf(lock, sizeof(lock), "%s.lock", key_path) >= (int)sizeof(lock) ||
	    mkdir_parents(key_path) < 0)
		return -1;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int tls_selfsigned_ensure(const char *cert_path, const char *key_path,
			  const char *common_name, const char **error_r)
{
	int lock, rc = 0;

	if (access(cert_path, F_OK) == 0 && access(key_path, F_OK) == 0)
		return 0;
	if ((lock = lock_pair(key_path)) < 0) {
		*error_r = "cannot create the TLS directory or lock file";
		return -1;
	}
	/* Another process may have generated the pair while we waited for the lock. */
	if (access(cert_path, F_OK) != 0 || access(key_path, F_OK) != 0) {
		if (mkdir_parents(key_path) < 0 || generate(cert_path, key_path, common_name) < 0) {
			*error_r = "cannot generate or write the self-signed certificate";
			rc = -1;
		} else {
			log_info("event=tls_selfsigned cert=%s key=%s cn=%s", cert_path, key_path,
				 common_name);
			rc = 1;
		}
	}
	close(lock); /* releases the flock */
	return rc;
}
