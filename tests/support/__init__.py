"""Helpers shared by the tests (run the CLI in-process, ...)."""
