"""Where Portero keeps files it is handed (a call's chat attachments): one interface, a directory
by default, S3-compatible object storage as an option."""
