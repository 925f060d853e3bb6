"""Rendering: the one sandboxed Jinja environment (:mod:`.jinja_env`) and what is rendered with
it — statements (:mod:`.statements`)."""
