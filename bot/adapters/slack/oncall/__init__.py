"""``/crisis oncall``: the duty rota in Slack (parser, wording, handler)."""
