"""`python -m logic ...` runs the batch CLI (see logic.cli)."""

from logic.cli import main

raise SystemExit(main())
