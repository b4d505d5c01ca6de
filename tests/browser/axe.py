"""axe-core in the test browser: the accessibility violations of a page, by impact."""

from pathlib import Path

# The npm package axe-core@4.14.1, file axe.min.js (MPL-2.0), SHA-256
# 29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
SEVERE = ("serious", "critical")


def violations(page, impacts: tuple[str, ...] = SEVERE) -> list[dict]:
    """Run axe on the page as it is now; return the violations of the given impacts.

    The script is evaluated through the browser's debugging protocol, which the page's
    Content Security Policy does not govern, so the page itself needs no exception.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": item["id"],
            "impact": item["impact"],
            "help": item["help"],
            "nodes": [node["target"] for node in item["nodes"]][:5],
        }
        for item in result["violations"]
        if item["impact"] in impacts
    ]
