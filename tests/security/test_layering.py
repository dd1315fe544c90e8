"""The layers of DESIGN.md, checked on the source: views.py and api.py only speak HTTP (no
ORM: every read goes through a selector, every write through a service), they decide no
access themselves (permissions.py does; views call require() or a selector), and `core` and
`audit` depend on no domain app.

The checks read the code with `ast`: nothing is imported or run."""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "maillage"

# Their views and API still query and decide by themselves; they are being moved to
# selectors, services and permissions.py (issue 11). Remove an app from this set as soon as
# its modules pass: the set only ever shrinks.
NOT_YET_CLEAN: set[str] = set()

KERNEL = {"core", "audit"}

# Manager and queryset methods, and the model instance's own reads and writes.
ORM_METHODS = frozenset(
    {
        "aggregate",
        "all",
        "annotate",
        "bulk_create",
        "bulk_update",
        "count",
        "create",
        "defer",
        "delete",
        "distinct",
        "earliest",
        "exclude",
        "exists",
        "extra",
        "filter",
        "first",
        "get",
        "get_or_create",
        "in_bulk",
        "iterator",
        "last",
        "latest",
        "only",
        "order_by",
        "prefetch_related",
        "raw",
        "refresh_from_db",
        "save",
        "select_for_update",
        "select_related",
        "update",
        "update_or_create",
        "values",
        "values_list",
    }
)
# The ORM names that dictionaries, strings and the API router have too: allowed on these
# receivers only (the last name of the receiver: `request.GET.get(...)`,
# `context.update(...)`, django-ninja's `@router.get(...)` and `@router.delete(...)`).
DICT_METHODS = frozenset({"get", "update", "values", "count", "delete"})
NOT_ORM_RECEIVERS = frozenset(
    {
        "router",
        "GET",
        "POST",
        "META",
        "FILES",
        "COOKIES",
        "headers",
        "session",
        "cleaned_data",
        "message_dict",
        "context",
        "kwargs",
    }
)
# Deciding from the account's role is permissions.py's job (core.permissions predicates).
ROLE_ATTRIBUTES = frozenset(
    {"is_coordinator", "is_administrator", "is_practitioner", "is_superuser", "is_staff"}
)
# has_perm() in a view may only say what a page shows (a flag given to the template:
# a dict value or a name, alone or with `and`/`or`/`not`). A guard is require(...), which
# raises; a check of has_perm in an `if` is an access decision made in the view.
# (module, function) pairs allowed to do otherwise, each with its reason. Keep it small.
HAS_PERM_ALLOWED: dict[tuple[str, str], str] = {}


def _http_modules(*, clean_only: bool) -> list[Path]:
    # Also an app's second HTTP module (evaluation's exchange_views.py, exchange_api.py).
    paths = sorted(
        path
        for pattern in ("*/views.py", "*/*_views.py", "*/api.py", "*/*_api.py")
        for path in SRC.glob(pattern)
    )
    if clean_only:
        paths = [p for p in paths if p.parent.name not in NOT_YET_CLEAN]
    return paths


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _function_of(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node.name
    return "<module>"


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def orm_calls(source: str) -> Iterator[tuple[int, str]]:
    """(line, what) for each use of the ORM in a module's source."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            yield node.lineno, ast.unparse(node)
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method not in ORM_METHODS:
            continue
        if method in DICT_METHODS and _last_name(node.func.value) in NOT_ORM_RECEIVERS:
            continue
        yield node.lineno, f"{ast.unparse(node.func)}()"


def _is_display_flag(call: ast.Call, parents: dict[ast.AST, ast.AST]) -> bool:
    node: ast.AST = call
    while isinstance(parents.get(node), ast.BoolOp | ast.UnaryOp):
        node = parents[node]
    parent = parents.get(node)
    if isinstance(parent, ast.Dict):
        return node in parent.values
    if isinstance(parent, ast.Assign | ast.AnnAssign):
        return parent.value is node
    return isinstance(parent, ast.keyword)


def access_decisions(source: str, module: str = "") -> Iterator[tuple[int, str]]:
    """(line, what) for each access decision a module makes by itself."""
    tree = ast.parse(source)
    parents = _parents(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ROLE_ATTRIBUTES:
            yield node.lineno, f"role check {ast.unparse(node)}"
        elif isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if _last_name(raised) == "PermissionDenied":
                yield node.lineno, "raise PermissionDenied (call require())"
        elif (
            isinstance(node, ast.Call)
            and _last_name(node.func) == "has_perm"
            and not _is_display_flag(node, parents)
            and (module, _function_of(node, parents)) not in HAS_PERM_ALLOWED
        ):
            yield node.lineno, f"{ast.unparse(node)} decides access (call require())"


@pytest.mark.parametrize("path", _http_modules(clean_only=True), ids=_name)
def test_views_and_api_modules_make_no_orm_call(path):
    # Given a views.py or api.py module of an app that is clean
    # When its source is read
    found = list(orm_calls(path.read_text()))
    # Then it reads through selectors and writes through services only
    assert found == [], "\n".join(f"{_name(path)}:{line}: {what}" for line, what in found)


@pytest.mark.parametrize("path", _http_modules(clean_only=True), ids=_name)
def test_views_and_api_modules_decide_no_access_themselves(path):
    found = list(access_decisions(path.read_text(), _name(path)))
    assert found == [], "\n".join(f"{_name(path)}:{line}: {what}" for line, what in found)


def test_the_apps_not_yet_clean_still_exist():
    # An app leaving the codebase, or renamed, must leave NOT_YET_CLEAN too: else the set
    # would silently exempt whatever takes the name next.
    apps = {p.parent.name for p in SRC.glob("*/apps.py")}
    assert apps >= NOT_YET_CLEAN


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("Team.objects.filter(pk=1)", True),
        ("group.situations.exclude(status='w')", True),
        ("selectors.meetings_of(group).order_by('x')", True),
        ("meeting.attendances.all()", True),
        ("situation.refresh_from_db()", True),
        ("mine.assessments.values_list('moment', flat=True)", True),
        ("request.GET.get('page')", False),
        ("request.POST.get('team', '')", False),
        ("context.update(changes=1)", False),
        ("@router.get('/teams')\ndef teams(request):\n    pass", False),
        ("error.message_dict.values()", False),
        ("selectors.programme_list(fetched_by=user)", False),
    ],
)
def test_the_orm_check_tells_queries_from_dictionaries(source, flagged):
    assert bool(list(orm_calls(source))) is flagged


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("if not request.user.has_perm('a.b'):\n    raise PermissionDenied", True),
        ("def v(r):\n    if r.user.has_perm('a.b', o):\n        x = 1", True),
        ("ok = user.is_coordinator or 1", True),
        ("context = {'can_change': user.has_perm('a.b', o) and o.open}", False),
        ("render(r, 't', {'can': r.user.has_perm('a.b')})", False),
        ("can_manage = user.has_perm('a.b', o)", False),
        ("require(request.user, 'a.b', o)", False),
    ],
)
def test_the_access_check_tells_guards_from_page_flags(source, flagged):
    assert bool(list(access_decisions(source))) is flagged


# --- core and audit depend on no domain app ----------------------------------------------


def _domain_apps() -> set[str]:
    return {p.parent.name for p in SRC.glob("*/apps.py")} - KERNEL


def imported_modules(source: str, package: str) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in a module of `package`, wherever it
    is in the module (inside functions too)."""
    parts = package.split(".")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:  # `from maillage import directory`
                yield node.lineno, f"{module}.{alias.name}"


def _package_of(path: Path) -> str:
    return ".".join(["maillage", *path.relative_to(SRC).parent.parts])


def _domain_app_imported(module: str, domain: set[str]) -> bool:
    parts = module.split(".")
    return len(parts) > 1 and parts[0] == "maillage" and parts[1] in domain


@pytest.mark.parametrize("kernel", sorted(KERNEL))
def test_core_and_audit_import_no_domain_app(kernel):
    # Given every module of a kernel app (migrations and management commands included)
    domain = _domain_apps()
    # When their imports are listed
    found = [
        f"{path.relative_to(SRC)}:{line}: {module}"
        for path in sorted((SRC / kernel).rglob("*.py"))
        for line, module in imported_modules(path.read_text(), _package_of(path))
        if _domain_app_imported(module, domain)
    ]
    # Then none of them is a domain app
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("source", "package", "imported"),
    [
        ("from maillage.directory.permissions import is_coordinator", "maillage.audit", True),
        ("from ..directory import models", "maillage.core", True),
        ("from maillage import families", "maillage.core.management", True),
        ("import maillage.referrals.models", "maillage.audit", True),
        ("from .models import User", "maillage.core", False),
        ("from maillage.audit.services import record_event", "maillage.core", False),
    ],
)
def test_the_import_check_sees_every_form_of_import(source, package, imported):
    found = any(
        _domain_app_imported(module, {"directory", "families", "referrals"})
        for _line, module in imported_modules(source, package)
    )
    assert found is imported
