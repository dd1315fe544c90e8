from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from . import selectors
from .forms import LogFilterForm


@login_required
def log(request):
    types = selectors.object_types(fetched_by=request.user)
    form = LogFilterForm(request.GET or None, object_types=types)
    filters = selectors.LogFilters()
    if form.is_valid():
        filters = selectors.LogFilters(
            **{k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        )
    events = selectors.audit_events(fetched_by=request.user, filters=filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"form": form, "page": page})
