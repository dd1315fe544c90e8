"""Screen readers announce a field's help: every aria-describedby of the rendered pages
points to an element that exists on the page."""

import pytest

from tests.core.rendered_pages import main_pages, parse, seed_demo

pytestmark = pytest.mark.django_db


def test_every_aria_describedby_points_to_an_element_of_the_page(client, verified_login):
    seed_demo()
    dangling = {}
    forms_seen = 0
    for url, html in main_pages(client, verified_login, "en"):
        page = parse(html)
        forms_seen += html.count("<form")
        missing = sorted({ref for _tag, ref in page.described_by if ref not in page.ids})
        if missing:
            dangling[url] = missing
    assert forms_seen > 10
    assert dangling == {}


def test_the_core_form_kit_gives_its_help_the_id_the_widget_points_to(client):
    # The login form has no help; the password reset form's address field neither: use the
    # form kit directly on a form with help text.
    from django import forms
    from django.template.loader import render_to_string

    class WithHelp(forms.Form):
        code = forms.CharField(label="Code", help_text="Six digits.")

    html = render_to_string("core/_form_fields.html", {"form": WithHelp()})
    page = parse(html)
    assert page.described_by == [("input", "id_code_helptext")]
    assert "id_code_helptext" in page.ids
