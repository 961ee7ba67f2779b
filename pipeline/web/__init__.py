"""Web: a database -> read-only views: ``serve`` (Datasette) and the reports the CLI prints."""
