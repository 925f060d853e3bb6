"""Drills: the scenario loader (``playbooks/drills/*.yaml``), the inject scheduler glue and
the scorecard rendering."""
