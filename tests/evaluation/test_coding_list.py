"""The document page's list of codings: the reader's own codings carry their forms."""

import uuid

from maillage.core.models import User
from maillage.evaluation.coding_list import codings_html
from maillage.evaluation.models import Code, Coding


def test_only_the_readers_codings_have_forms_and_every_name_is_escaped():
    mine, theirs = User(pk=uuid.uuid4(), full_name="Léa"), User(pk=uuid.uuid4(), full_name="<b>")
    own = Coding(pk=uuid.uuid4(), code=Code(name="A & B"), coder=mine, start=1, end=5, memo='"m"')
    other = Coding(pk=uuid.uuid4(), code=Code(name="C"), coder=theirs, start=2, end=9)
    html = str(codings_html([own, other], reader_id=mine.pk, with_coders=True, csrf_token="tok"))
    assert html.count("<li>") == 2 and html.count("<form") == 2
    assert (
        f'<label for="memo-{own.pk}" class="visually-hidden">Memo on the coding “A &amp; B”' in html
    )
    assert 'value="&quot;m&quot;">' in html and f"/codings/{own.pk}/" in html
    assert '<p class="memo">&quot;m&quot;</p>' in html
    assert "[2–9] · &lt;b&gt;</span>" in html and "<b>" not in html
    blind = str(codings_html([own], reader_id=mine.pk, with_coders=False, csrf_token="tok"))
    assert "Léa" not in blind
