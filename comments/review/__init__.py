"""What the language checks and their human review keep: the thresholds moderators set, each
comment's scores, moderators' decisions as labels, and authors' appeals.

Models only; the rules that use them are in ``comments.moderation`` (``language_checks``,
``labels``, ``appeals``). ``comments.models`` imports these so Django registers them with the
comments app; their foreign keys name models by string, so there is no import cycle.
"""
