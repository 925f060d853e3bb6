"""The Slack adapter: ids, pure Block Kit builders, the ``/crisis`` parser and wording.

Nothing here runs at import time; the bolt app and its listeners are wired in ``bootstrap``.
"""
