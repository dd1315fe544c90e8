"""Directory pages: search, organization, team, practitioner, my network, map, import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from maillage.core.permissions import require

from . import csv_io, network_map, selectors
from .forms import DirectoryImportForm, DirectorySearchForm

PAGE_SIZE = 20


@login_required
@vary_on_headers("HX-Request")
def search(request):
    form = DirectorySearchForm(
        request.GET or None, territories=selectors.territories(fetched_by=request.user)
    )
    filters = selectors.DirectoryFilters()
    if form.is_valid():
        filters = selectors.DirectoryFilters(**form.cleaned_data)
    teams = selectors.team_search(fetched_by=request.user, filters=filters)
    page = Paginator(teams, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "searched": bool(request.GET)}
    if request.htmx:
        return render(request, "directory/_results.html", context)
    return render(request, "directory/search.html", context)


@login_required
def organization(request, organization_id):
    org = selectors.organization_detail(fetched_by=request.user, organization_id=organization_id)
    return render(request, "directory/organization.html", {"organization": org})


@login_required
def team(request, team_id):
    team = selectors.team_detail(fetched_by=request.user, team_id=team_id)
    return render(
        request,
        "directory/team.html",
        {"team": team, "can_change": request.user.has_perm("directory.change_team", team)},
    )


@login_required
def practitioner(request, practitioner_id):
    person = selectors.practitioner_detail(fetched_by=request.user, practitioner_id=practitioner_id)
    return render(request, "directory/practitioner.html", {"practitioner": person})


@login_required
def my_network(request):
    return render(
        request,
        "directory/my_network.html",
        {
            "teams": selectors.my_teams(fetched_by=request.user),
            "partners": selectors.partner_teams(fetched_by=request.user),
        },
    )


def _map_kinds(request) -> list[str]:
    """The kinds of link asked for (all of them unless some are chosen)."""
    known = [item["code"] for item in network_map.edge_legend(())]
    asked = [k for k in request.GET.getlist("kinds") if k in known]
    return asked or known


@login_required
def network_map_page(request):
    sector = request.GET.get("sector", "")
    kinds = _map_kinds(request)
    graph = network_map.organization_graph(fetched_by=request.user, kinds=kinds)
    if sector not in network_map.Sector.values:
        sector = ""
    drawing = network_map.interactive_map(graph, sector=sector)
    return render(
        request,
        "directory/network_map.html",
        {
            "drawing": drawing,
            "panel": network_map.panel_data(drawing),
            "summary": network_map.summary(graph),
            "legend": network_map.legend(),
            "edge_legend": network_map.edge_legend(kinds),
            "sector": sector,
            "svg_query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def network_map_svg(request):
    graph = network_map.organization_graph(fetched_by=request.user, kinds=_map_kinds(request))
    svg = network_map.render_svg(graph, highlight_sector=request.GET.get("sector", ""))
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@never_cache
def directory_import(request):
    """Coordinators upload a directory file; all rows are checked before any is written."""
    require(request.user, "directory.manage_directory")
    form = DirectoryImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = csv_io.import_directory(
            by=request.user, name=upload.name, data=upload.read(), request=request
        )
        if report.ok:
            messages.success(request, report.summary())
            form = DirectoryImportForm()
    return render(request, "directory/import.html", {"form": form, "report": report})


@login_required
@require_GET
def directory_export(request):
    require(request.user, "directory.manage_directory")
    data = csv_io.export_directory(by=request.user, request=request)
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="maillage-directory-{stamp}.zip"'
    return response
