"""The database: engine and settings, tables, the store, accounts, access control, migrations."""
