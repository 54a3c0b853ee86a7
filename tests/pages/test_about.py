from __future__ import annotations

import pytest

from logic.knowledge import knowledge_base
from logic.texts import DISCLAIMER
from tests.support.apptest import app, assert_no_exception, on_page, texts

pytestmark = pytest.mark.usefixtures("db_url")


def test_about_lists_the_conditions_and_the_disclaimer() -> None:
    at = on_page(app("Ann").run(), "pages/about.py")
    assert_no_exception(at)
    assert at.title[0].value == "About Stride Check"
    assert [e.label for e in at.expander] == [c.name for c in knowledge_base().conditions.values()]
    assert DISCLAIMER in texts(at.warning)


def test_the_disclaimer_is_in_the_sidebar_and_under_the_form() -> None:
    at = app("Ann").run()
    assert_no_exception(at)
    assert any(DISCLAIMER in t for t in texts(at.sidebar.caption))
    assert any(DISCLAIMER in t for t in texts(at.main.caption))
