"""What formatting the report's narrative keeps when it is saved."""

from napreport.report.html import clean_html


def test_words_in_the_other_language_keep_their_lang():
    text = '<p>La campagne <span lang="en" onclick="alert(1)" class="x">I’m Not for Sale</span> de la GRC.</p>'
    assert clean_html(text) == '<p>La campagne <span lang="en">I’m Not for Sale</span> de la GRC.</p>'


def test_lang_is_kept_on_the_allowed_tags_and_the_rest_still_goes():
    text = '<p lang="en" style="color:red"><em lang="fr">mot</em><script>x()</script> <b lang="fr">gras</b></p>'
    assert clean_html(text) == '<p lang="en"><em lang="fr">mot</em> gras</p>'
