"""The document page's list of codings, as HTML: one item per coding, with the memo and
removal forms on the reader's own codings.

A thousand items through template tags (two forms, a CSRF field and three translations
each) were most of the page's rendering; here each item is one format_html string, with
the same HTML as the template wrote, and the form URLs are reversed once.
"""

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .models import Coding

# Stands for a coding's id in the URLs reversed once (a UUID's 36 characters).
_ID = "00000000-0000-0000-0000-000000000000"

_ITEM = (
    '\n    <li><strong>{name}</strong> <span class="meta">[{start}–{end}]{coder}</span>'
    "\n      {memo}"
    "\n      {forms}"
    "\n    </li>"
)
_FORMS = (
    "\n"
    '      <form method="post" action="{memo_url}" class="inline-form">{csrf}\n'
    '        <label for="memo-{id}" class="visually-hidden">{memo_label}</label>\n'
    '        <input type="text" name="text" id="memo-{id}" maxlength="4000" value="{memo}">\n'
    '        <button type="submit">{save}</button>\n'
    "      </form>\n"
    '      <form method="post" action="{delete_url}" class="inline-form">{csrf}'
    '<button type="submit">{remove}</button></form>\n'
    "      "
)


def codings_html(
    codings: list[Coding], *, reader_id, with_coders: bool, csrf_token: str
) -> SafeString:
    """The items of the page's <ul class="codings">, in the codings' order."""
    memo_url = reverse("evaluation:coding_memo", args=[_ID])
    delete_url = reverse("evaluation:coding_delete", args=[_ID])
    csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
    save = escape(_("Save memo"))
    items = []
    for coding in codings:
        name = escape(coding.code.name)
        memo = escape(coding.memo)
        forms = ""
        if coding.coder_id == reader_id:
            coding_id = str(coding.pk)
            forms = _FORMS.format(
                memo_url=memo_url.replace(_ID, coding_id),
                delete_url=delete_url.replace(_ID, coding_id),
                csrf=csrf,
                id=coding_id,
                memo_label=_("Memo on the coding “%(code)s”") % {"code": name},
                memo=memo,
                save=save,
                remove=_("Remove “%(code)s”") % {"code": name},
            )
        items.append(
            _ITEM.format(
                name=name,
                start=coding.start,
                end=coding.end,
                coder=f" · {escape(coding.coder.full_name)}" if with_coders else "",
                memo=f'<p class="memo">{memo}</p>' if coding.memo else "",
                forms=forms,
            )
        )
    # Every value above went through escape(); the rest is this module's markup.
    return mark_safe("".join(items))  # noqa: S308
