"""Real-browser smoke test: the home page loads cleanly on desktop and phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import assert_clean, open_app

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("page", ["desktop", "phone"], indirect=True)
def test_home_loads_clean(page, app_server):
    response = open_app(page, app_server, "/")
    assert response is not None and response.ok, response

    # Browser tab title from st.set_page_config.
    assert "Stride Check" in page.title()
    # The app's name is on screen at both widths (a heading, or the sidebar/disclaimer
    # text; at phone width the sidebar starts collapsed).
    expect(page.get_by_text("Stride Check").filter(visible=True).first).to_be_visible()
    # The main area rendered real content, not just an empty shell.
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_be_visible()
    expect(
        main.locator('[data-testid="stElementContainer"]').filter(visible=True).first
    ).to_be_visible()

    assert_clean(page)
