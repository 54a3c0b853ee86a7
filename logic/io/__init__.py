"""Files in and out: CSV reading and writing, imports."""
