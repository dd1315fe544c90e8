"""The main pages of the seeded demo network, rendered as each role sees them, for the
checks that read every page (French typography, form help announced)."""

import re
from html.parser import HTMLParser

from django.urls import reverse

from maillage.core.models import User
from maillage.directory.models import Organization, Team
from maillage.reviews.models import Meeting, ReviewGroup
from maillage.seeding.generator import SCALES, NetworkGenerator
from maillage.training.models import ImmersionSession, Programme

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def seed_demo():
    NetworkGenerator(SCALES["demo"], seed=1).run()


def main_pages(client, verified_login, language: str = "fr"):
    """Yields (url, html) for the main pages, in `language`, as the demo practitioner (who
    takes part in the review group) and as the coordinator."""
    practitioner = User.objects.get(email="practitioner@demo.maillage.test")
    coordinator = User.objects.get(email="coordinator@demo.maillage.test")
    team = Team.objects.order_by("name").first()
    organization = Organization.objects.order_by("name").first()
    group = ReviewGroup.objects.order_by("name").first()
    meetings = list(Meeting.objects.filter(group=group).order_by("starts_at"))
    programme = Programme.objects.order_by("name").first()
    session = ImmersionSession.objects.order_by("starts_at").first()
    common = [
        reverse("home"),
        reverse("directory:search"),
        reverse("directory:search") + "?q=perinatalite",
        reverse("directory:team", args=[team.id]),
        reverse("directory:organization", args=[organization.id]),
        reverse("directory:network_map"),
        reverse("reviews:groups"),
        reverse("reviews:group", args=[group.id]),
        reverse("reviews:meeting", args=[meetings[0].id]),
        reverse("reviews:meeting", args=[meetings[-1].id]),
        reverse("reviews:minutes", args=[meetings[0].id]),
        reverse("reviews:statistics", args=[group.id]),
        reverse("training:programmes"),
        reverse("training:programme", args=[programme.id]),
        reverse("training:pairings", args=[programme.id]),
        reverse("training:session", args=[session.id]),
        reverse("api_tokens"),
    ]
    as_practitioner = [
        reverse("families:caseload"),
        reverse("families:create"),
        reverse("referrals:inbox"),
        reverse("referrals:notifications"),
        reverse("directory:my_network"),
        reverse("training:mine"),
    ]
    client.cookies["maillage_language"] = language
    for user, urls in ((practitioner, common + as_practitioner), (coordinator, common)):
        client.logout()
        client.cookies["maillage_language"] = language
        verified_login(user)
        seen = set()
        for url in urls:
            html = client.get(url).content.decode()
            yield url, html
            if url == reverse("families:caseload"):
                # The first families of the caseload: overview, plan, timeline, circle.
                for family in list(dict.fromkeys(re.findall(rf"/families/({UUID})/", html)))[:2]:
                    for part in ("", "plan/", "timeline/", "circle/"):
                        family_url = f"/families/{family}/{part}"
                        if family_url not in seen:
                            seen.add(family_url)
                            yield family_url, client.get(family_url).content.decode()
            if url == reverse("referrals:inbox"):
                for referral in list(dict.fromkeys(re.findall(rf"/referrals/({UUID})/", html)))[:2]:
                    yield (
                        f"/referrals/{referral}/",
                        client.get(f"/referrals/{referral}/").content.decode(),
                    )


class VisibleText(HTMLParser):
    """The text a person reads (not attributes, scripts, styles, code or SVG drawings), and
    every element's id and aria-describedby."""

    SKIPPED = {"script", "style", "code", "pre", "svg", "textarea", "kbd", "samp"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.ids: set[str] = set()
        self.described_by: list[tuple[str, str]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if attributes.get("aria-describedby"):
            for ref in attributes["aria-describedby"].split():
                self.described_by.append((tag, ref))
        if tag in self.SKIPPED:
            self._skip += 1
        elif tag in ("br", "p", "li", "td", "th", "div", "h1", "h2", "h3", "dd", "dt", "option"):
            self.chunks.append("\n")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in self.SKIPPED:
            self._skip -= 1

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self._skip:
            self._skip -= 1
        elif tag in ("p", "li", "td", "th", "div", "h1", "h2", "h3", "dd", "dt", "option"):
            self.chunks.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def parse(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    return parser
