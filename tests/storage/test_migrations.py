"""A database made by the first release upgrades in place on start, keeping every row."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from logic.storage.engine import head_revision
from logic.storage.store import Store

RELEASE_0_1 = Path(__file__).parents[1] / "fixtures" / "release-0.1.db"


def test_release_0_1_database_upgrades_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(RELEASE_0_1, db)
    with sa.create_engine(f"sqlite:///{db}").connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == (
            "0001_initial"
        )
        before = pd.read_sql("SELECT * FROM checkins ORDER BY id", conn)
    store = Store(f"sqlite:///{db}")
    try:
        assert store.schema_revision() == head_revision() == "0003_accounts"
        after = store.all_checkins().sort_values("id").reset_index(drop=True)
        assert len(after) == len(before) == 3
        for column in ["id", "runner", "pain_locations", "pain_level", "weekly_km", "sex"]:
            assert after[column].astype(str).tolist() == before[column].astype(str).tolist()
        assert after["ostrc_pain"].isna().all()
        # The upgraded database takes new answers.
        store.save_checkin(
            {"runner": "Ann", "date": "2026-10-19", "ostrc_participation": 1, "ostrc_pain": 2}
        )
        assert store.latest_checkin("Ann")["ostrc_pain"] == 2
    finally:
        store.dispose()
