"""The database: models, sessions, reads and writes. The only package that opens a Session."""
