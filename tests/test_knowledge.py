"""The shipped knowledge base loads, a bad edit fails naming the file and the key, and no
run of eight words of the article it was written from is copied into anything we show."""

from __future__ import annotations

import ast
import json
import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from logic.knowledge import DATA_DIR, KnowledgeBaseError, knowledge_base, load_knowledge_base
from scripts.article_fingerprint import (
    ARTICLE,
    HASHING,
    N_WORDS,
    NORMALISATION,
    ROOT,
    copied,
    find_article,
    fingerprint,
    normalise,
)
from scripts.article_fingerprint import (
    FIXTURE as FINGERPRINT_FILE,
)

FINGERPRINT = set(json.loads(FINGERPRINT_FILE.read_text(encoding="utf-8"))["hashes"])

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


def _toml_strings(value: object, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _toml_strings(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _toml_strings(item, f"{where}[{i}]")


def _literals(path: Path) -> list[tuple[str, str]]:
    """The string literals of a module, f-strings' fixed parts too, in source order."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [
        (node.lineno, node.col_offset, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    return [(f"{line}:{col}", text) for line, col, text in sorted(found)]


def product_texts() -> dict[str, str]:
    """Every text the product shows, by where it is: each TOML string and each string literal
    of the app's code on its own, and each file whole (a sentence may span two strings)."""
    texts: dict[str, str] = {}
    for path in sorted(DATA_DIR.glob("*.toml")):
        name = path.relative_to(ROOT)
        found = list(_toml_strings(tomllib.loads(path.read_text(encoding="utf-8")), ""))
        texts |= {f"{name}: {where}": text for where, text in found}
        texts[f"{name} (all its strings)"] = "\n".join(text for _, text in found)
    code = [ROOT / "streamlit_app.py", *sorted((ROOT / "logic").rglob("*.py"))]
    code += sorted((ROOT / "pages").rglob("*.py"))
    for path in code:
        name = path.relative_to(ROOT)
        found = _literals(path)
        texts |= {f"{name}:{where}": text for where, text in found}
        texts[f"{name} (all its strings)"] = "\n".join(text for _, text in found)
    texts["README.md"] = (ROOT / "README.md").read_text(encoding="utf-8")
    return texts


def copies(texts: dict[str, str], hashes: set[str]) -> dict[str, list[str]]:
    """The texts holding a run of N_WORDS words whose hash is in `hashes`, with those runs."""
    found = {where: copied(text, hashes) for where, text in texts.items()}
    return {where: runs for where, runs in found.items() if runs}


def test_no_sentence_of_the_article_is_copied() -> None:
    texts = product_texts()
    assert len(texts) > 500  # it reads the data, the code and the README
    assert any("Patellofemoral" in t for t in texts.values())  # conditions.toml's names
    assert any("Stride Check" in t for w, t in texts.items() if w.startswith("pages/"))
    assert copies(texts, FINGERPRINT) == {}


def test_the_check_finds_a_copied_run_of_eight_words_and_names_the_text() -> None:
    source = (
        "Runners who add hill repeats and speed work in the same week often feel the front "
        "of the knee ache on stairs; easing the load for a fortnight usually settles it."
    )
    made = fingerprint(source)
    assert made["n"] == N_WORDS and len(made["hashes"]) == len(normalise(source)) - N_WORDS + 1
    hashes = set(made["hashes"])
    # Case, punctuation, curly apostrophes and line breaks do not hide a copy.
    lifted = "Tip: OFTEN FEEL the front of\nthe knee ache on STAIRS! Don’t worry."
    clean = "Knee pain on stairs often settles once the weekly load is eased for a while."
    found = copies({"pages/tips.py:12": lifted, "data/tips.toml: tip": clean}, hashes)
    assert found == {
        "pages/tips.py:12": [
            "often feel the front of the knee ache",
            "feel the front of the knee ache on",
            "the front of the knee ache on stairs",
        ]
    }
    # Seven words in a row are not a copy; the same words with two swapped neither.
    assert copied("feel the front of the knee ache", hashes) == []
    assert copied("often feel the front of the ache knee on stairs", hashes) == []


def test_the_fingerprint_holds_only_hashes_of_the_whole_article() -> None:
    stored = json.loads(FINGERPRINT_FILE.read_text(encoding="utf-8"))
    assert set(stored) == {"n", "normalisation", "hash", "hashes"}
    assert stored["n"] == N_WORDS and stored["hash"] == HASHING
    assert stored["normalisation"] == NORMALISATION
    hashes = stored["hashes"]
    assert hashes == sorted(set(hashes))
    assert all(re.fullmatch(r"[0-9a-f]{16}", h) for h in hashes)
    # The article runs to about 1,500 words: one run per word, less a few repeats.
    assert 1000 < len(hashes) < 5000


def test_the_committed_fingerprint_is_the_articles_when_the_article_is_beside_the_checkout() -> (
    None
):
    article = find_article()
    if article is None:
        # Every user's clone: the fixture above is all there is to check against.
        pytest.skip(f"no {ARTICLE} beside the checkout to rebuild the fingerprint from")
    built = fingerprint(article.read_text(encoding="utf-8"))
    stored = json.loads(FINGERPRINT_FILE.read_text(encoding="utf-8"))
    assert stored == built, "the article changed: run python -m scripts.article_fingerprint"


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "factors.toml",
            "weights = { patellofemoral = 65 }",
            "weights = { patelofemoral = 30 }",
            "factors.toml: factors.front_knee_pain.weights.patelofemoral: unknown condition id",
        ),
        (
            "factors.toml",
            "weights = { patellofemoral = 65 }",
            'weights = { patellofemoral = "thirty" }',
            "factors.toml: factors.front_knee_pain.weights.patellofemoral:",
        ),
        (
            "factors.toml",
            "weights = { patellofemoral = 65 }",
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
        # The routine's doses, cautions and loading marks (data/exercises.toml).
        (
            "exercises.toml",
            "dose = { sets = 3, reps = 12, per_week = 3 }",
            "dose = { sets = 3, reps = 12, seconds = 30, per_week = 3 }",
            "exercises.toml: exercises.glute_bridge.dose: Value error, give either reps or seconds",
        ),
        (
            "exercises.toml",
            "dose = { sets = 3, reps = 12, per_week = 3 }\n",
            "",
            "exercises.toml: exercises.glute_bridge.dose: Field required",
        ),
        (
            "exercises.toml",
            "per_week = [2, 3] }\nloading = true",
            "per_week = [3, 2] }\nloading = true",
            "exercises.toml: exercises.step_up.dose: Value error, per_week as [fewest, most]",
        ),
        (
            "exercises.toml",
            "per_week = [2, 3] }\nloading = true",
            'per_week = [2, 3] }\nloading = "yes"',
            "exercises.toml: exercises.step_up.loading: Input should be a valid boolean",
        ),
        (
            "exercises.toml",
            'caution_when = ["hip_flexor"]',
            'caution_when = ["hip_flexr"]',
            "exercises.toml: exercises.kneeling_hip_flexor_stretch.caution_when: unknown "
            "condition id 'hip_flexr'",
        ),
        (
            "exercises.toml",
            'caution = "With a sore hip flexor',
            'caveat = "With a sore hip flexor',
            "exercises.toml: exercises.kneeling_hip_flexor_stretch.caveat: Extra inputs",
        ),
        (
            "exercises.toml",
            'root_causes = ["running_mechanics"]',
            'root_causes = ["running_form"]',
            "exercises.toml: exercises.running_form_drills.root_causes: unknown root cause "
            "'running_form'",
        ),
        (
            "exercises.toml",
            'root_causes = ["running_mechanics"]',
            "root_causes = []",
            "exercises.toml: exercises.running_form_drills: Value error, needs at least one of "
            "conditions or root_causes",
        ),
        # The running advice: rules and words (data/rules.toml), changes (data/conditions.toml).
        (
            "rules.toml",
            '{ band = "high", advice = "adjust" }',
            '{ band = "high", advice = "adjsut" }',
            "rules.toml: running_advice: Value error, rules[2].advice: unknown advice 'adjsut'",
        ),
        (
            "rules.toml",
            '{ advice = "keep" },',
            '{ pain = 1, advice = "keep" },',
            "rules.toml: running_advice: Value error, rules[4]: the last rule must name no flag",
        ),
        (
            "rules.toml",
            '{ flag = "needs_clinician", advice = "stop" }',
            '{ flag = "needs_doctor", advice = "stop" }',
            "rules.toml: running_advice.rules.1.flag: Input should be 'needs_clinician' or "
            "'needs_emergency'",
        ),
        (
            "rules.toml",
            "For the next few days, {changes}.",
            "For the next few days, {change}.",
            "rules.toml: running_advice: Value error, advice.adjust.text: only {changes} may be "
            "filled in",
        ),
        (
            "rules.toml",
            'tone = "caution"',
            'tone = "amber"',
            "rules.toml: running_advice.advice.adjust.tone: Input should be",
        ),
        (
            "rules.toml",
            "gentle_max = 4",
            "gentle_max = 40",
            "rules.toml: until_seen.gentle_max: Input should be less than or equal to 10",
        ),
        (
            "rules.toml",
            'gentle_kinds = ["strength", "mobility"]',
            'gentle_kinds = ["strength", "yoga"]',
            "rules.toml: until_seen.gentle_kinds.1: Input should be",
        ),
        (
            "rules.toml",
            "emergency = [",
            "urgent = [",
            "rules.toml: until_seen.emergency: Field required",
        ),
        (
            "conditions.toml",
            'changes = ["less_speed"]',
            'changes = ["slower"]',
            "conditions.toml: running.hamstring.changes: unknown running change 'slower'",
        ),
        (
            "conditions.toml",
            "[running.hamstring]",
            "[running.hamstrings]",
            "conditions.toml: running.hamstring: missing (every condition needs one)",
        ),
        (
            "conditions.toml",
            'basis = "inference"',
            'basis = "hunch"',
            "conditions.toml: running.hip_flexor.basis: Input should be 'article' or 'inference'",
        ),
        (
            "factors.toml",
            'scale_by_pain = true\nsource = "article"\nweights = { patellofemoral = 65 }',
            "scale_by_pain = true\nweights = { patellofemoral = 65 }",
            "factors.toml: factors.front_knee_pain.source: Field required",
        ),
        (
            "factors.toml",
            'source = "article"\nweights = { patellofemoral = 65 }',
            'source = "folklore"\nweights = { patellofemoral = 65 }',
            "factors.toml: factors.front_knee_pain.source: Input should be 'article', "
            "'inference' or 'study'",
        ),
        (
            "factors.toml",
            'source = "article"\nweights = { patellofemoral = 65 }',
            'source = "inference"\nweights = { patellofemoral = 65 }',
            "factors.toml: factors.front_knee_pain: Value error, an inference needs a reason",
        ),
        (
            "factors.toml",
            'source = "inference"\nreason = "Climbs and descents',
            'source = "study"\nreason = "Climbs and descents',
            "factors.toml: factors.more_hills_knee: Value error, a study needs a citation",
        ),
        (
            "factors.toml",
            'source = "study"\ncitation = "Frandsen',
            'source = "article"\ncitation = "Frandsen',
            "factors.toml: factors.long_run_spike: Value error, citation is only for source = "
            "'study'",
        ),
        (
            "conditions.toml",
            'locations = ["front_knee"]',
            'locations = ["kneecap"]',
            "conditions.toml: conditions.patellofemoral.locations: unknown location 'kneecap'",
        ),
        (
            "rules.toml",
            "moderate_at_pain = 5",
            "moderate_at_pain = 2",
            "rules.toml: scoring.floor.moderate_at_pain: pain 2 at front_knee gives "
            "patellofemoral 14.3 points, below the moderate threshold 30",
        ),
        (
            "rules.toml",
            "pain_curve = [0.1, 0.15,",
            "pain_curve = [0.2, 0.15,",
            "rules.toml: scoring.pain_curve: Value error, pain_curve must not fall",
        ),
        (
            "rules.toml",
            'emergency_signs = ["saddle_numbness", "bladder_or_bowel_change"]',
            'emergency_signs = ["saddle_numbnes", "bladder_or_bowel_change"]',
            "rules.toml: safety.emergency_signs: unknown warning_signs value 'saddle_numbnes'",
        ),
        (
            "rules.toml",
            'growing_age_bands = ["under_18"]',
            'growing_age_bands = ["under18"]',
            "rules.toml: safety.growing_age_bands: unknown age_band value 'under18'",
        ),
        (
            "rules.toml",
            "persistent_weeks = 3",
            "persistent_weeks = 1",
            "rules.toml: safety.persistent_weeks: Input should be greater than or equal to 2",
        ),
        (
            "rules.toml",
            "rising_weeks = 3",
            'rising_weeks = "three"',
            "rules.toml: safety.rising_weeks:",
        ),
        (
            "rules.toml",
            "persistent_pain_level = 5",
            "persistent_pain_level = 11",
            "rules.toml: safety.persistent_pain_level: Input should be less than or equal to 10",
        ),
        ("rules.toml", "pain_rise = 2", "pain_rise = 0", "rules.toml: trends.pain_rise:"),
        (
            "rules.toml",
            'emergency_text = "',
            'emergency_txt = "',
            "rules.toml: safety.emergency_text: Field required",
        ),
        (
            "load.toml",
            "min_km = 10",
            "min_km = -1",
            "load.toml: weekly_jump.min_km: Input should be greater than or equal to 0",
        ),
        (
            "load.toml",
            "min_missed_weeks = 2",
            "min_missed_weeks = 0",
            "load.toml: return_after_break.min_missed_weeks: Input should be greater than",
        ),
    ],
)
def test_a_bad_edit_names_the_file_and_key(
    data_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    _edit(data_copy / file, old, new)
    with pytest.raises(KnowledgeBaseError) as err:
        load_knowledge_base(data_copy)
    assert expected in str(err.value)


def test_the_baseline_factor_id_is_reserved(data_copy: Path) -> None:
    """The explanation's baseline row has this id: a factor of the same name would merge."""
    _edit(data_copy / "factors.toml", "[factors.front_knee_pain]", "[factors.baseline]")
    with pytest.raises(KnowledgeBaseError, match=r"factors.toml: .*factors.baseline.*reserved"):
        load_knowledge_base(data_copy)


def test_a_sign_for_an_unknown_sex_is_refused_by_name(data_copy: Path) -> None:
    _edit(data_copy / "checkin.toml", 'sexes = ["female", "unspecified"]', 'sexes = ["femal"]')
    with pytest.raises(KnowledgeBaseError) as err:
        load_knowledge_base(data_copy)
    assert "columns.warning_signs.values.missed_periods.sexes: 'femal'" in str(err.value)
    assert "Allowed: female, male, other, unspecified" in str(err.value)


def test_a_missing_file_is_named(data_copy: Path) -> None:
    (data_copy / "exercises.toml").unlink()
    with pytest.raises(KnowledgeBaseError, match=r"exercises.toml: file is missing"):
        load_knowledge_base(data_copy)


def test_a_tuned_weight_changes_the_score(data_copy: Path) -> None:
    from logic.analysis.scoring import score_one

    checkin = {
        "runner": "a",
        "date": "2026-11-23",
        "pain_locations": ["back_thigh"],
        "pain_triggers": ["top_speed"],
    }
    before = score_one(checkin)["hamstring"]
    factors = data_copy / "factors.toml"
    _edit(factors, "weights = { hamstring = 18 }", "weights = { hamstring = 40 }")
    after = score_one(checkin, load_knowledge_base(data_copy))["hamstring"]
    assert after - before == pytest.approx(22)


def test_a_concern_needs_two_exercises_of_its_own(data_copy: Path) -> None:
    """The routine promises each concern two of its own exercises: the data must hold them."""
    exercises = data_copy / "exercises.toml"
    exercises.write_text(exercises.read_text().replace(', "hamstring"]', "]"))
    with pytest.raises(KnowledgeBaseError) as err:
        load_knowledge_base(data_copy)
    assert (
        "exercises.toml: exercises: condition 'hamstring' needs at least 2 exercises that list "
        "it in conditions (has 1)"
    ) in str(err.value)


def test_every_exercise_has_a_dose_and_every_root_cause_an_exercise() -> None:
    kb = knowledge_base()
    for eid, e in kb.exercises.items():
        assert e.dose.sets >= 1 and (e.dose.reps or e.dose.seconds), eid
    for rid in kb.root_causes:
        assert any(rid in e.root_causes for e in kb.exercises.values()), rid
    assert set(kb.running) == set(CONDITION_IDS)


def test_gentle_exercises_do_not_name_single_leg_work() -> None:
    """Under a red flag the app lists the exercises that are not `loading`, right below
    "leave out single-leg work": their names must not offer it."""
    for eid, exercise in knowledge_base().exercises.items():
        if not exercise.loading:
            assert "single-leg" not in exercise.name.lower(), eid
