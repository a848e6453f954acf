"""Downloader middlewares and extensions, one per file."""
