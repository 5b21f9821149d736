"""helpers_smtpout - a scripted remote SMTP server, a loopback DNS zone and queue helpers for
the smtp-out tests."""
