"""The open data as a visitor finds it, in headless Chromium (issue #15): from the downloads page to the data
dictionary and back, in each language, with axe-core clean; the data package and the all-years CSV download as
files, the package's relative paths leading to the files it describes."""

import hashlib
import json
import re
from urllib.parse import urljoin

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.public.open_data_files import csv_records

pytestmark = pytest.mark.django_db(transaction=True)

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = {
    "en": ("/en/downloads/", "Data dictionary", "Reports and data"),
    "fr": ("/fr/telechargements/", "Dictionnaire de données", "Rapports et données"),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_from_the_downloads_page_to_the_dictionary_and_back_with_axe_clean(page, demo, language):
    downloads, dictionary, back = PAGES[language]
    axe = Axe()
    page.goto(downloads)
    page.get_by_role("link", name=re.compile(dictionary, re.I)).first.click()
    page.wait_for_url(re.compile(r"/(data-dictionary|dictionnaire-de-donnees)/$"))
    assert page.locator("h1").inner_text() == dictionary
    assert page.locator("table.dictionary-table tbody tr").count() == 21
    dictionary_url = page.url
    for url in (dictionary_url, downloads):
        page.goto(url)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        assert results.violations_count == 0, (url, [violation["id"] for violation in results.response["violations"]])
    page.goto(dictionary_url)
    page.get_by_role("link", name=back, exact=True).first.click()  # the breadcrumb
    page.wait_for_url(re.compile(re.escape(downloads) + "$"))


def test_the_data_package_and_the_all_years_file_download_as_files(page, demo):
    page.goto("/fr/telechargements/")
    with page.expect_download() as package_download:
        page.get_by_role("link", name=re.compile("Paquet de données")).first.click()
    package = json.loads(package_download.value.path().read_bytes())
    assert package_download.value.suggested_filename == "datapackage.json"
    assert package["licenses"][0]["name"] == "OGL-Canada-2.0"
    with page.expect_download() as all_years:
        page.get_by_role("link", name=re.compile("toutes les années publiées")).first.click()
    content = all_years.value.path().read_bytes()
    described = next(r for r in package["resources"] if r["path"] == all_years.value.suggested_filename)
    assert described["hash"] == f"sha256:{hashlib.sha256(content).hexdigest()}" and described["bytes"] == len(content)
    assert {record["fiscal_year"] for record in csv_records(content)} == {"2013-2014"}
    # The package's relative paths, resolved against its own address, are the files' addresses.
    response = page.request.get(urljoin(all_years.value.url, "datapackage.json"))
    assert response.ok and json.loads(response.body()) == package
