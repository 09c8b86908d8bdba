"""The single write path.

``check_*`` validates untrusted input and calls ``do_*``, which writes in one transaction;
``access_*`` reads with a permission check. Interfaces (web, bot, CLI, webhooks, importers)
call these and never open a write transaction themselves.
"""
