"""axe-core in the page, against WCAG 2.2 level AA (the standard the public site and the staff screens meet)."""

from axe_playwright_python.sync_playwright import Axe

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page, tags=WCAG_22_AA):
    """What axe-core finds on the page as it is now: (rule, [the elements it names]) for each violation."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}})
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
    ]
