"""The families' and referrals' setting (a family recorded by a CLSC, shared under consent
with a CRD, a hospital the consent does not cover), spoken to over FHIR with tokens."""

import json
import os

import pytest
from fhir.resources.R4B import get_fhir_model_class

from maillage.core.services import create_api_token
from maillage.core.text import fold
from maillage.families.models import Caregiver
from tests.families.conftest import care, practitioner  # noqa: F401 - shared fixtures
from tests.referrals.conftest import referral  # noqa: F401 - shared fixture

FHIR_JSON = "application/fhir+json"


def validate(resource: dict) -> None:
    """Every resource we emit is valid FHIR (R4B models, see docs/architecture.md). With
    FHIR_DUMP=<file>, each is also appended there, for a check against fhir.resources 6.x
    (R4 itself, pydantic 1) in a separate environment (docs/interop.md)."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    if os.environ.get("FHIR_DUMP"):
        with open(os.environ["FHIR_DUMP"], "a", encoding="utf-8") as dump:
            dump.write(json.dumps(resource, ensure_ascii=False) + "\n")
    if resource["resourceType"] == "Bundle":
        for entry in resource.get("entry", []):
            if "resource" in entry:
                validate(entry["resource"])


class Fhir:
    """A partner system: a test client speaking FHIR with one user's personal token."""

    def __init__(self, client, user=None):
        self.client = client
        # Messages asserted in English; the product's default language is French.
        self.headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if user is not None:
            user.__dict__.pop("_family_access", None)
            user.__dict__.pop("_family_reader", None)
            _token, secret = create_api_token(user=user, name="partner system")
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else f"/fhir/R4/{path}"

    def get(self, path: str, **params):
        return self.client.get(self._url(path), params, **self.headers)

    def send(self, method: str, path: str, body, content_type=FHIR_JSON):
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        return self.client.generic(
            method, self._url(path), data, content_type=content_type, **self.headers
        )

    def walk(self, path: str, **params) -> list[dict]:
        """Every resource of a search, following `next` links to the end."""
        found = []
        response = self.get(path, **params)
        while True:
            assert response.status_code == 200, response.content
            bundle = response.json()
            validate(bundle)
            found += [e["resource"] for e in bundle.get("entry", [])]
            nxt = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
            if not nxt:
                return found
            response = self.client.get(nxt[0], **self.headers)


@pytest.fixture
def fhir(client):
    def as_user(user=None) -> Fhir:
        return Fhir(client, user)

    return as_user


def add_father(world: dict) -> Caregiver:
    """A second caregiver in the family (the mother stays its first): a RelatedPerson."""
    return Caregiver.objects.create(
        family=world["family"],
        first_name="Jérôme",
        last_name="Côté",
        name_key=fold("Jérôme Côté"),
        relationship="père",
        phone="(819) 555-0142",
    )
