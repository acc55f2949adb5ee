"""Presenting answers: the command line, the app's HTML, reply drafts, feedback."""
