"""The public site on every device (issue #15, "Every device"), in headless Chromium: no page scrolls sideways from
320 CSS px up (WCAG 1.4.10 reflow), tables read as stacked rows on a phone, the filters fold behind a disclosure
there, the summary chart keeps legible labels with 4.5:1 contrast, and pager links are large enough to hit.

Zoom is emulated as Chromium zooms: 1280 x 1024 at 200 % is a 640 x 512 CSS px viewport with twice the device
pixels, at 400 % a 320 x 256 one with four times (viewport + device_scale_factor). `document.body.style.zoom` would
scale the drawing but leave the viewport's CSS width, which the media queries read, at 1280: it would not test the
layout a reader who zooms gets.
"""

import pytest

from tests.browser.public_site import page_urls, publish_second_year

pytestmark = pytest.mark.django_db(transaction=True)

# name: (width, height, device scale factor)
VIEWPORTS = {
    "320 px": (320, 640, 1),
    "375 px": (375, 812, 1),
    "768 px": (768, 1024, 1),
    "1366 px": (1366, 768, 1),
    "200 % zoom": (640, 512, 2),
    "400 % zoom": (320, 256, 4),
}


@pytest.fixture
def two_years(demo):
    return publish_second_year(demo)


def viewport_page(browser, live_server, name):
    width, height, scale = VIEWPORTS[name]
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-CA",
        viewport={"width": width, "height": height},
        device_scale_factor=scale,
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


# The innermost element reaching past the viewport's right edge, to say what widens a page.
WIDEST = """() => {
    const all = [...document.body.querySelectorAll('*')];
    const past = all.filter(e => e.getBoundingClientRect().right > innerWidth + 1);
    const inner = past.filter(e => !past.some(other => other !== e && e.contains(other)));
    return inner.slice(0, 3).map(e => `${e.tagName}.${e.className}: ${e.textContent.trim().slice(0, 40)}`);
}"""


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_public_page_scrolls_sideways_at_any_width_or_zoom(browser, live_server, two_years, language):
    urls = page_urls(language, two_years)
    too_wide = {}
    for name in VIEWPORTS:
        context, page = viewport_page(browser, live_server, name)
        for kind, url in urls.items():
            response = page.goto(url)
            assert response.status == (404 if kind == "page not found" else 200), url
            width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width > inner:
                too_wide[f"{kind} at {name}"] = (width, page.evaluate(WIDEST))
        context.close()
    assert too_wide == {}


def header_texts(page, selector):
    return page.locator(selector).evaluate_all(
        """tables => tables.map(table => [...table.tHead.rows[0].cells].map(cell => {
            const copy = cell.cloneNode(true);
            copy.querySelectorAll('.sort-state, .sort-arrow, .visually-hidden').forEach(hint => hint.remove());
            return copy.textContent.trim();
        }))"""
    )


def test_on_a_phone_each_table_row_is_a_box_whose_cells_name_their_column(browser, live_server, two_years):
    context, page = viewport_page(browser, live_server, "375 px")
    for url, table in [
        (page_urls("fr", two_years)["progress"], "table.progress-table"),
        (page_urls("en", two_years)["home"], "table.summary-table"),
        (page_urls("en", two_years)["changes"], "table.progress-table"),
    ]:
        page.goto(url)
        headers = header_texts(page, table)[0]
        cells = page.locator(f"{table} tbody tr").first.evaluate(
            """row => [...row.cells].filter(cell => cell.tagName === 'TD').map(cell => ({
                label: cell.dataset.label,
                shown: getComputedStyle(cell, '::before').content,
                display: getComputedStyle(cell).display,
                left: cell.getBoundingClientRect().left,
            }))"""
        )
        data_headers = headers[-len(cells) :]  # a row header (the summary's pillar) has no label of its own
        assert [cell["label"] for cell in cells] == data_headers, url
        # Shown before the value, and kept out of the accessibility tree (alt text ""): the cell has its header.
        assert all(cell["shown"] == f'"{cell["label"]}" / ""' for cell in cells), cells
        assert {cell["display"] for cell in cells} == {"grid"}, url
        assert len({round(cell["left"]) for cell in cells}) == 1, url  # one under the other, not side by side
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
    # Chromium still exposes a table: a screen reader moves by cell and hears each column's header once.
    tree = context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    roles = [node["role"]["value"] for node in tree if not node.get("ignored")]
    assert "table" in roles and "columnheader" in roles and roles.count("cell") >= 10
    names = [node.get("name", {}).get("value", "") for node in tree if node["role"]["value"] == "cell"]
    assert not any(name.startswith(("Task", "Deliverable", "Status")) for name in names), names[:5]
    context.close()

    context, page = viewport_page(browser, live_server, "1366 px")
    page.goto(page_urls("en", two_years)["progress"])
    assert page.locator("table.progress-table td").first.evaluate("cell => getComputedStyle(cell).display") == (
        "table-cell"
    )
    context.close()


def test_the_filters_fold_on_a_phone_and_open_when_a_filter_is_set(browser, live_server, two_years):
    context, page = viewport_page(browser, live_server, "375 px")
    page.goto(page_urls("en", two_years)["progress"])
    summary = page.locator("details.filters-disclosure > summary")
    assert summary.is_visible() and summary.inner_text() == "Filter the deliverables"
    status = page.get_by_label("Status", exact=True)
    assert not status.is_visible()
    summary.click()
    status.select_option("complete")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**status=complete**")
    assert page.locator("details.filters-disclosure").get_attribute("open") is not None  # the filter set shows
    assert page.get_by_label("Status", exact=True).input_value() == "complete"
    context.close()

    context, page = viewport_page(browser, live_server, "1366 px")
    page.goto(page_urls("en", two_years)["progress"])
    assert not page.locator("details.filters-disclosure > summary").is_visible()
    assert page.get_by_label("Status", exact=True).is_visible()
    page.get_by_label("Search").focus()
    page.keyboard.press("Tab")  # the filters are in the tab order, the summary is not in the way
    assert page.evaluate("document.activeElement.id") == "id_pillar"
    context.close()


def luminance(rgb):
    channels = [value / 255 for value in rgb]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second):
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_is_computed_as_wcag_does():
    assert round(contrast((255, 255, 255), (0x2B, 0x8A, 0x3E)), 2) == 4.37  # the old green, which failed
    assert round(contrast((0, 0, 0), (255, 255, 255)), 1) == 21.0


@pytest.mark.parametrize("viewport", ["320 px", "375 px", "1366 px"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_summary_chart_labels_stay_legible_with_enough_contrast(
    browser, live_server, two_years, viewport, language
):
    context, page = viewport_page(browser, live_server, viewport)
    page.goto(page_urls(language, two_years)["home"])
    chart = page.locator("svg.summary-chart")
    chart.scroll_into_view_if_needed()
    labels = chart.evaluate(
        """svg => {
            const rgb = colour => colour.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
            let ground = svg;  // the page behind the chart
            const clear = element => getComputedStyle(element).backgroundColor === 'rgba(0, 0, 0, 0)';
            while (ground && clear(ground)) ground = ground.parentElement;
            const page = ground ? rgb(getComputedStyle(ground).backgroundColor) : [255, 255, 255];
            return [...svg.querySelectorAll('text')].map(text => {
                text.scrollIntoView({block: 'center', inline: 'center'});
                const box = text.getBoundingClientRect(), matrix = text.getScreenCTM();
                const under = document.elementsFromPoint(box.left + box.width / 2, box.top + box.height / 2)
                    .find(element => element.tagName === 'rect' && svg.contains(element));
                return {
                    text: text.textContent.trim(),
                    size: parseFloat(getComputedStyle(text).fontSize) * Math.hypot(matrix.a, matrix.b),
                    colour: rgb(getComputedStyle(text).fill),
                    ground: under ? rgb(getComputedStyle(under).fill) : page,
                };
            });
        }"""
    )
    assert len(labels) >= 8  # pillars, counts, totals, key
    small = [(label["text"], round(label["size"], 1)) for label in labels if label["size"] < 12]
    assert small == []
    faint = [
        (label["text"], round(contrast(label["colour"], label["ground"]), 2))
        for label in labels
        if contrast(label["colour"], label["ground"]) < 4.5
    ]
    assert faint == []
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport][0]
    context.close()


def test_pager_links_are_targets_of_at_least_24_px(browser, live_server, two_years):
    context, page = viewport_page(browser, live_server, "375 px")
    page.goto(page_urls("en", two_years)["progress"])
    links = page.locator("nav .pagination a")
    assert links.count() >= 3
    sizes = links.evaluate_all("links => links.map(link => [link.offsetWidth, link.offsetHeight])")
    assert all(width >= 24 and height >= 24 for width, height in sizes), sizes
    context.close()
