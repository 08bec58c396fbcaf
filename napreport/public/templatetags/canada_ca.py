"""The Canada.ca page chrome as the GC Design System draws it (header, breadcrumbs, page details, footer), written
as server-side HTML with the GCDS markup and tokens, so it needs no JavaScript (templates/public/_header.html …).

The footer's links and words are GCDS 1.3.1's own (gcds-footer's i18n), in both languages."""

from urllib.parse import quote

from django import template
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

CANADA_CA = {"en": "https://www.canada.ca/en.html", "fr": "https://www.canada.ca/fr.html"}

# (English text, English address, French text, French address), as gcds-footer prints them.
GOVERNMENT = [
    (
        "All contacts",
        "https://www.canada.ca/en/contact.html",
        "Toutes les coordonnées",
        "https://www.canada.ca/fr/contact.html",
    ),
    (
        "Departments and agencies",
        "https://www.canada.ca/en/government/dept.html",
        "Ministères et organismes",
        "https://www.canada.ca/fr/gouvernement/min.html",
    ),
    (
        "About government",
        "https://www.canada.ca/en/government/system.html",
        "À propos du gouvernement",
        "https://www.canada.ca/fr/gouvernement/systeme.html",
    ),
]
THEMES = [
    (
        "Jobs",
        "https://www.canada.ca/en/services/jobs.html",
        "Emplois",
        "https://www.canada.ca/fr/services/emplois.html",
    ),
    (
        "Immigration and citizenship",
        "https://www.canada.ca/en/services/immigration-citizenship.html",
        "Immigration et citoyenneté",
        "https://www.canada.ca/fr/services/immigration-citoyennete.html",
    ),
    ("Travel and tourism", "https://travel.gc.ca/", "Voyage et tourisme", "https://voyage.gc.ca/"),
    (
        "Business",
        "https://www.canada.ca/en/services/business.html",
        "Entreprises",
        "https://www.canada.ca/fr/services/entreprises.html",
    ),
    (
        "Benefits",
        "https://www.canada.ca/en/services/benefits.html",
        "Prestations",
        "https://www.canada.ca/fr/services/prestations.html",
    ),
    (
        "Health",
        "https://www.canada.ca/en/services/health.html",
        "Santé",
        "https://www.canada.ca/fr/services/sante.html",
    ),
    (
        "Taxes",
        "https://www.canada.ca/en/services/taxes.html",
        "Impôts",
        "https://www.canada.ca/fr/services/impots.html",
    ),
    (
        "Environment and natural resources",
        "https://www.canada.ca/en/services/environment.html",
        "Environnement et ressources naturelles",
        "https://www.canada.ca/fr/services/environnement.html",
    ),
    (
        "National security and defence",
        "https://www.canada.ca/en/services/defence.html",
        "Sécurité nationale et défense",
        "https://www.canada.ca/fr/services/defense.html",
    ),
    (
        "Culture, history and sport",
        "https://www.canada.ca/en/services/culture.html",
        "Culture, histoire et sport",
        "https://www.canada.ca/fr/services/culture.html",
    ),
    (
        "Policing, justice and emergencies",
        "https://www.canada.ca/en/services/policing.html",
        "Services de police, justice et urgences",
        "https://www.canada.ca/fr/services/police.html",
    ),
    (
        "Transport and infrastructure",
        "https://www.canada.ca/en/services/transport.html",
        "Transport et infrastructure",
        "https://www.canada.ca/fr/services/transport.html",
    ),
    (
        "Canada and the world",
        "https://international.gc.ca/world-monde/index.aspx?lang=eng",
        "Le Canada et le monde",
        "https://www.international.gc.ca/world-monde/index.aspx?lang=fra",
    ),
    (
        "Money and finances",
        "https://www.canada.ca/en/services/finance.html",
        "Argent et finances",
        "https://www.canada.ca/fr/services/finance.html",
    ),
    (
        "Science and innovation",
        "https://www.canada.ca/en/services/science.html",
        "Science et innovation",
        "https://www.canada.ca/fr/services/science.html",
    ),
    (
        "Indigenous Peoples",
        "https://www.canada.ca/en/services/indigenous-peoples.html",
        "Autochtones",
        "https://www.canada.ca/fr/services/autochtones.html",
    ),
    (
        "Veterans and military",
        "https://www.canada.ca/en/services/veterans.html",
        "Vétérans et militaires",
        "https://www.canada.ca/fr/services/veterans.html",
    ),
    (
        "Youth",
        "https://www.canada.ca/en/services/youth.html",
        "Jeunesse",
        "https://www.canada.ca/fr/services/jeunesse.html",
    ),
    (
        "Manage life events",
        "https://www.canada.ca/en/services/life-events.html",
        "Gérer les événements de la vie",
        "https://www.canada.ca/fr/services/evenements-vie.html",
    ),
]
CORPORATE = [
    (
        "Social media",
        "https://www.canada.ca/en/social.html",
        "Médias sociaux",
        "https://www.canada.ca/fr/sociaux.html",
    ),
    (
        "Mobile applications",
        "https://www.canada.ca/en/mobile.html",
        "Applications mobiles",
        "https://www.canada.ca/fr/mobile.html",
    ),
    (
        "About Canada.ca",
        "https://www.canada.ca/en/government/about.html",
        "À propos de Canada.ca",
        "https://www.canada.ca/fr/gouvernement/a-propos.html",
    ),
    (
        "Terms and conditions",
        "https://www.canada.ca/en/transparency/terms.html",
        "Avis",
        "https://www.canada.ca/fr/transparence/avis.html",
    ),
    (
        "Privacy",
        "https://www.canada.ca/en/transparency/privacy.html",
        "Confidentialité",
        "https://www.canada.ca/fr/transparence/confidentialite.html",
    ),
]


def in_language(links: list[tuple[str, str, str, str]]) -> list[tuple[str, str]]:
    """(text, address) of each link in the page's language."""
    french = get_language() == "fr"
    return [(fr_text, fr_url) if french else (en_text, en_url) for en_text, en_url, fr_text, fr_url in links]


@register.simple_tag
def canada_ca() -> dict[str, object]:
    """The Canada.ca addresses and footer links in the page's language."""
    return {
        "home": CANADA_CA["fr" if get_language() == "fr" else "en"],
        "government": in_language(GOVERNMENT),
        "themes": in_language(THEMES),
        "corporate": in_language(CORPORATE),
    }


@register.simple_tag
def report_a_problem(page_address: str) -> str:
    """A mailto: address for "Report a problem on this page", the page's address in the subject, so that the
    message says which page it is about. The mailbox is settings.PROBLEM_REPORT_EMAIL."""
    subject = _("Problem on the page %(address)s") % {"address": page_address}
    return f"mailto:{settings.PROBLEM_REPORT_EMAIL}?subject={quote(subject)}"
