"""Footnotes and text boxes as each edition prints them (napreport.report.notes, issue #16)."""

from django.template import Context, Template
from lxml import html as lxml_html

from napreport.report.notes import edition_html

NARRATIVE = (
    "<p>Statistics<sup>3</sup> and more<sup>4</sup>.</p>\n<aside>\n<h3>Project COMBATIVE</h3>\n<p>30 arrested.</p>\n"
    '</aside>\n<p class="footnote"><sup>3</sup> Please see: http://www.esdc.gc.ca/eng/jobs/index.shtml.</p>\n'
    '<p class="footnote"><sup>4</sup> Please see http:/bit.ly/1nCBbWV</p>'
)


def fragment(html):
    return lxml_html.fragment_fromstring(html, create_parent="div")


def test_in_the_pdf_each_note_is_floated_where_it_is_called_with_its_printed_number():
    document = fragment(edition_html(NARRATIVE, "part-2", for_pdf=True))
    notes = document.xpath('//span[@class="note"]')
    assert [note.get("data-number") for note in notes] == ["3", "4"]
    assert notes[0].getparent().tag == "p"
    assert notes[0].text_content() == "Please see: http://www.esdc.gc.ca/eng/jobs/index.shtml."
    assert notes[0].tail == " and more"
    assert document.xpath('//p[@class="footnote"]') == []
    assert document.xpath("//sup") == []


def test_addresses_in_notes_are_links_even_as_the_source_misprints_them():
    for for_pdf in (True, False):
        links = fragment(edition_html(NARRATIVE, "part-2", for_pdf=for_pdf)).xpath("//a[not(@role)]")
        assert [(link.text, link.get("href")) for link in links] == [
            ("http://www.esdc.gc.ca/eng/jobs/index.shtml", "http://www.esdc.gc.ca/eng/jobs/index.shtml"),
            ("http:/bit.ly/1nCBbWV", "http://bit.ly/1nCBbWV"),
        ]


def test_in_the_html_edition_a_call_links_to_its_note_and_the_note_back_to_the_call():
    document = fragment(edition_html(NARRATIVE, "part-2", for_pdf=False))
    call = document.xpath('//sup/a[@role="doc-noteref"]')[0]
    note = document.get_element_by_id(call.get("href")[1:])
    assert note.get("class") == "footnote"
    back = note.xpath('.//a[@role="doc-backlink"]')[0]
    assert back.get("href") == f"#{call.get('id')}"
    assert (call.text, back.text) == ("3", "3")
    assert call.get("aria-label") == "Note 3"
    assert back.get("aria-label") == "Back to the text of note 3"
    assert call.get("id").startswith("part-2-")


def test_a_text_box_is_an_aside_named_by_its_heading_on_screen_and_a_div_in_print():
    screen = fragment(edition_html(NARRATIVE, "part-3", for_pdf=False))
    aside = screen.xpath("//aside")[0]
    assert screen.get_element_by_id(aside.get("aria-labelledby")).text == "Project COMBATIVE"
    assert aside.get("aria-labelledby") == "part-3-project-combative"  # unique: the summary and body are apart
    printed = fragment(edition_html(NARRATIVE, "part-3", for_pdf=True))
    assert printed.xpath("//aside") == []
    assert printed.xpath('//div[@class="aside"]/h3')[0].text == "Project COMBATIVE"


def test_text_without_notes_or_boxes_is_printed_as_stored():
    plain = "<p>Plain <sup>2</sup> text.</p>"
    assert edition_html(plain, "foreword", for_pdf=True) == plain


def test_a_note_that_is_never_called_stays_where_it_is_written():
    html = '<p>No call here.</p><p class="footnote"><sup>9</sup> An orphan note.</p>'
    document = fragment(edition_html(html, "progress", for_pdf=True))
    assert document.xpath('//p[@class="footnote"]')[0].text_content() == "9 An orphan note."


def test_any_page_can_print_a_deliverables_bullets_as_a_list():
    rendered = Template("{% load report_text %}{{ text|deliverable_text }}").render(
        Context({"text": "Through the Strategy:\n- Encouraging <partners>;\n- Ensuring birth registration."})
    )
    document = fragment(rendered)
    items = [item.text for item in document.xpath("//ul/li")]
    assert items == ["Encouraging <partners>;", "Ensuring birth registration."]
    assert document.xpath("//p")[0].text == "Through the Strategy:"
