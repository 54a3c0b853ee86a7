"""Helpers shared by the tests: AppTest runs, the browser, a throwaway PostgreSQL."""
