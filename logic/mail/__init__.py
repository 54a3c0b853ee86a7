"""Email: settings (config), the SMTP client (smtp), the outbox's sender (sender) and what the
app sends to whom (notify). Off unless [smtp] or STRIDE_CHECK_SMTP_URL is set."""
