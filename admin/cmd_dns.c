/* cmd_dns.c - `merpati dns DOMAIN`: the DNS records a domain needs to receive and send mail.
 *
 * Pure output, in zone-file syntax, from the domain and MERPATI_HOSTNAME: no DNS query and
 * no database, so it works before anything is set up. */
#include <stdio.h>
#include <string.h>

#include "admin/commands.h"
#include "config/config.h"
#include "store/address.h"

const char cmd_dns_help[] =
	"usage: merpati dns DOMAIN\n"
	"\n"
	"Print the DNS records to publish so that DOMAIN receives mail here and its mail is\n"
	"accepted elsewhere, in zone-file syntax:\n"
	"  MX     DOMAIN -> this server (MERPATI_HOSTNAME)          RFC 5321 section 5.1\n"
	"  A/AAAA the server's name -> its public addresses\n"
	"  TXT    SPF \"v=spf1 mx -all\": only the MX hosts send     RFC 7208\n"
	"  TXT    DMARC at _dmarc.DOMAIN: quarantine what fails, reports to\n"
	"         postmaster@DOMAIN                                    RFC 7489\n"
	"and a note about the reverse DNS (PTR) of the server's addresses. No DNS lookups are\n"
	"made and the database is not needed.\n";

/* dns_print_records - the records of domain served by host, with the notes */
static void dns_print_records(const char *domain, const char *host, bool host_fqdn)
{
	printf("; DNS records for %s, whose mail this server (%s) handles.\n", domain, host);
	printf("; Names end with a dot: they are absolute. TTLs are suggestions.\n\n");
	printf("; RFC 5321 5.1: where to deliver mail for %s\n", domain);
	printf("%s.\t3600\tIN\tMX\t10 %s.\n\n", domain, host);
	printf("; the MX name must have address records (never a CNAME, RFC 2181 10.3)\n");
	printf("%s.\t3600\tIN\tA\t<this server's public IPv4 address>\n", host);
	printf("%s.\t3600\tIN\tAAAA\t<its public IPv6 address, if it has one>\n\n", host);
	printf("; RFC 7208: SPF, only the hosts of the MX records send mail for %s\n", domain);
	printf("%s.\t3600\tIN\tTXT\t\"v=spf1 mx -all\"\n\n", domain);
	printf("; RFC 7489: DMARC, quarantine mail that fails SPF/DKIM alignment; reports go\n");
	printf("; to postmaster@%s\n", domain);
	printf("_dmarc.%s.\t3600\tIN\tTXT\t\"v=DMARC1; p=quarantine; rua=mailto:postmaster@%s\"\n\n",
	       domain, domain);
	printf("; PTR: ask whoever runs this server's IP addresses (usually the hosting provider)\n");
	printf("; to set their reverse DNS to %s. Many receivers refuse mail from an\n", host);
	printf("; address whose PTR name does not resolve back to it or does not match EHLO.\n");
	if (!host_fqdn)
		printf("; WARNING: %s is not a fully qualified name: set MERPATI_HOSTNAME to the\n"
		       "; server's public name (e.g. mail.%s) before publishing these records.\n",
		       host, domain);
}

/* cmd_dns_run - `merpati dns DOMAIN` */
int cmd_dns_run(struct cli *cli, int argc, char **argv)
{
	char domain[STORE_DOMAIN_SIZE], host[STORE_DOMAIN_SIZE];
	const char *error = NULL;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 1, 1, "dns DOMAIN")) != CLI_EXIT_OK)
		return rc;
	if (store_domain_normalize(argv[1], domain, &error) < 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "'%.64s' is not a domain name: %s",
				argv[1], error);
	if (store_domain_normalize(config_hostname(), host, &error) < 0)
		return cli_fail(cli, CLI_EXIT_CONFIG, "MERPATI_HOSTNAME '%.64s' is not a host name: %s",
				config_hostname(), error);
	dns_print_records(domain, host, strchr(host, '.') != NULL);
	return CLI_EXIT_OK;
}
