"""The shipped knowledge base loads, and a bad edit fails naming the file and the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from logic.knowledge import DATA_DIR, KnowledgeBaseError, knowledge_base, load_knowledge_base

CONDITION_IDS = [
    "patellofemoral",
    "gluteal_tendinopathy",
    "hip_flexor",
    "piriformis",
    "it_band",
    "hamstring",
]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("*.db*"))
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def test_shipped_knowledge_base_has_the_six_conditions() -> None:
    kb = knowledge_base()
    assert kb.condition_ids == CONDITION_IDS
    assert set(kb.root_causes) == {
        "hip_mobility",
        "hip_stability",
        "single_leg_balance",
        "running_mechanics",
    }


def test_every_condition_has_a_location_factor_and_exercises() -> None:
    kb = knowledge_base()
    for cid in CONDITION_IDS:
        assert any(
            f.column == "pain_locations" and f.weights.get(cid, 0) >= 25
            for f in kb.factors.values()
        ), cid
        assert sum(cid in e.conditions for e in kb.exercises.values()) >= 2, cid


def test_root_causes_feed_several_conditions() -> None:
    kb = knowledge_base()
    for rid in kb.root_causes:
        fed = {c for f in kb.factors.values() if f.root_cause == rid for c in f.weights}
        assert len(fed) >= 3, rid


def test_article_exercises_are_all_there() -> None:
    names = " ".join(e.name.lower() for e in knowledge_base().exercises.values())
    for word in [
        "glute bridge",
        "step-up",
        "split squat",
        "hamstring curl",
        "calf raise",
        "romanian deadlift",
        "lunge",
        "plank",
        "side-lying leg raise",
        "fire hydrant",
        "monster walk",
        "kneeling hip flexor",
        "banded march",
        "banded straight-leg raise",
        "banded knee extension",
        "nordic",
        "dead bug",
        "renegade row",
        "pigeon",
        "figure-four",
        "foam rolling",
        "dynamic warm-up",
    ]:
        assert word in names, word


def test_no_sentence_of_the_article_is_copied() -> None:
    # shared/ sits beside the checkout (as on developers' machines and in CI).
    wanted = Path("shared") / "article" / "upper-leg-injuries.txt"
    found = [p / wanted for p in Path(__file__).resolve().parents if (p / wanted).exists()]
    if not found:
        pytest.fail(f"the article is expected at {wanted} beside the checkout")
    article = found[0]
    text = " ".join(article.read_text().split()).lower()
    ours = " ".join(p.read_text() for p in DATA_DIR.glob("*.toml")).lower()
    # Any run of eight words from the article appearing in our data counts as copying.
    words = text.replace("’", "'").split()
    ours = " ".join(ours.replace("’", "'").split())
    copied = [
        " ".join(words[i : i + 8])
        for i in range(len(words) - 8)
        if " ".join(words[i : i + 8]) in ours
    ]
    assert copied == []


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "factors.toml",
            "weights = { patellofemoral = 30 }",
            "weights = { patelofemoral = 30 }",
            "factors.toml: factors.front_knee_pain.weights.patelofemoral: unknown condition id",
        ),
        (
            "factors.toml",
            "weights = { patellofemoral = 30 }",
            'weights = { patellofemoral = "thirty" }',
            "factors.toml: factors.front_knee_pain.weights.patellofemoral:",
        ),
        (
            "factors.toml",
            "weights = { patellofemoral = 30 }",
            "weights = { patellofemoral = -3 }",
            "factors.toml: factors.front_knee_pain.weights.patellofemoral: Input should be "
            "greater than or equal to 0",
        ),
        (
            "exercises.toml",
            'conditions = ["patellofemoral", "hip_flexor"]',
            'conditions = ["patellofemoral", "hip_flexr"]',
            "exercises.toml: exercises.step_up.conditions: unknown condition id 'hip_flexr'",
        ),
        (
            "factors.toml",
            'values = ["front_knee"]',
            'values = ["front_knees"]',
            "factors.toml: factors.front_knee_pain.values: unknown pain_locations value",
        ),
        (
            "rules.toml",
            "high = 55",
            "high = 20",
            "rules.toml: bands: Value error, high must be above moderate",
        ),
        (
            "factors.toml",
            'values = ["front_knee"]\nscale_by_pain = true',
            'values = ["front_knee"]\nscale_by_pain = true\nweigth = 3',
            "factors.toml: factors.front_knee_pain.weigth: Extra inputs are not permitted",
        ),
        ("rules.toml", "[bands]", "[bands", "rules.toml: not valid TOML"),
    ],
)
def test_a_bad_edit_names_the_file_and_key(
    data_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    _edit(data_copy / file, old, new)
    with pytest.raises(KnowledgeBaseError) as err:
        load_knowledge_base(data_copy)
    assert expected in str(err.value)


def test_a_missing_file_is_named(data_copy: Path) -> None:
    (data_copy / "exercises.toml").unlink()
    with pytest.raises(KnowledgeBaseError, match=r"exercises.toml: file is missing"):
        load_knowledge_base(data_copy)


def test_a_tuned_weight_changes_the_score(data_copy: Path) -> None:
    from logic.analysis.scoring import score_one

    checkin = {"runner": "a", "date": "2026-11-23", "pain_triggers": ["top_speed"]}
    before = score_one(checkin)["hamstring"]
    factors = data_copy / "factors.toml"
    _edit(factors, "weights = { hamstring = 18 }", "weights = { hamstring = 40 }")
    after = score_one(checkin, load_knowledge_base(data_copy))["hamstring"]
    assert after - before == pytest.approx(22)
