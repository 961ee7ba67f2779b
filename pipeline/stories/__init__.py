"""Stories: clusters -> stories, the different write-ups of one event.

Story terms per article (``terms``) and placement of a new cluster in a story (``placement``).
"""
