"""The consultation pages in Chromium: the "comment on this item" action, and filtering the comments."""

from __future__ import annotations

import csv
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.conftest import REPO

FORM = "https://forms.example.org/credit-catalogue-2027"


def sample_rows(consultation_id: str) -> list[dict[str, str]]:
    path = REPO / "content/consultations" / consultation_id / "comments.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.browser
def test_comment_on_an_item_by_mail_or_through_the_form(
    browser_page: Any, consultation_url: str
) -> None:
    page = browser_page
    page.goto(f"{consultation_url}/consultations/catalogue-2027/")
    item = page.locator("#item-SX-07")
    assert "SX-07" in item.locator("h3").inner_text()

    mailto = urlsplit(item.locator("a.comment-mailto").get_attribute("href"))
    assert (mailto.scheme, mailto.path) == ("mailto", "consultation@example.org")
    query = dict(part.split("=", 1) for part in mailto.query.split("&"))
    assert "catalogue-2027" in unquote(query["subject"]) and "SX-07" in unquote(query["subject"])
    assert "SX-07" in unquote(query["body"])

    form_link = item.locator("a.comment-form")
    href = form_link.get_attribute("href")
    assert parse_qs(urlsplit(href).query) == {"consultation": ["catalogue-2027"], "item": ["SX-07"]}

    # The form lives on another host and there is no network: answer for it.
    requests: list[str] = []

    def fulfil(route: Any) -> None:
        requests.append(route.request.url)
        route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>form</title>"
        )

    page.route(f"{FORM}**", fulfil)
    form_link.focus()
    form_link.click()
    page.wait_for_url(f"{FORM}?**")
    landed = urlsplit(page.url)
    assert f"{landed.scheme}://{landed.netloc}{landed.path}" == FORM
    assert parse_qs(landed.query) == {"consultation": ["catalogue-2027"], "item": ["SX-07"]}
    assert requests == [page.url]


@pytest.mark.browser
def test_filter_the_comments_of_the_concluded_consultation(
    browser_page: Any, consultation_url: str
) -> None:
    rows = sample_rows("catalogue-2025")
    page = browser_page
    page.goto(f"{consultation_url}/en/consultations/catalogue-2025/")
    comments = page.locator("li.comment")
    visible = page.locator("li.comment:visible")
    status = page.locator(".filter-status")
    assert page.locator("form.comment-filter").is_visible()  # hidden without JavaScript
    assert comments.count() == visible.count() == len(rows)

    page.get_by_label("Handling", exact=True).select_option("adopted")
    adopted = sum(1 for r in rows if r["disposition"] == "adopted")
    assert visible.count() == adopted
    assert {visible.nth(i).get_attribute("data-disposition") for i in range(adopted)} == {"adopted"}
    assert status.inner_text() == f"Showing {adopted} of {len(rows)} comments."

    page.get_by_label("Handling", exact=True).select_option("*")
    page.get_by_label("Commenter", exact=True).select_option("individual")
    individuals = [r for r in rows if r["commenter_type"] == "individual"]
    assert visible.count() == len(individuals)
    for i in range(len(individuals)):
        assert visible.nth(i).locator(".commenter-name").inner_text().endswith("**")

    page.get_by_label("Commenter", exact=True).select_option("*")
    busiest, count = Counter(r["item_code"] for r in rows if r["item_code"]).most_common(1)[0]
    page.get_by_label("Item", exact=True).select_option(busiest)
    assert visible.count() == count
    assert page.locator("section.comment-group:visible").count() == 1
    assert page.locator(f"#comments-{busiest}").is_visible()

    page.get_by_role("button", name="Show all").click()
    page.wait_for_function(
        "n => document.querySelectorAll('li.comment:not([hidden])').length === n", arg=len(rows)
    )
    assert visible.count() == len(rows)
