"""``makemessages`` without fuzzy matching.

msgmerge's guesses ("no recent progress" → the translation of "In progress")
are wrong more often than right for short UI strings, and a fuzzy entry is
silently untranslated; new strings stay empty until someone translates them.
"""

from django.core.management.commands.makemessages import Command as MakeMessages


class Command(MakeMessages):
    msgmerge_options = [*MakeMessages.msgmerge_options, "--no-fuzzy-matching"]
