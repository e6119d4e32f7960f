"""Moving in from other systems: ``import_wordpress`` and ``import_disqus``.

``source`` reads export files (safe, streaming XML), ``text`` checks imported text as posted
text is checked, ``discussion`` writes an article's comments into its threads, ``summary``
says what a run did, and ``command`` is the management command both share.
"""
