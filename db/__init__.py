"""Schema migrations and Datasette metadata for wirecopy databases."""
