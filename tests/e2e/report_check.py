#!/usr/bin/python3
"""report_check.py PAGE.html [CHART...] — the checks of tests/e2e/report.sh on
one page: well-formed HTML (html.parser: every non-void element closed, in
order), no script, no external reference (src=, href=, xlink:href= only to
#fragments; no <link>, no url() to a file or a host), and every CHART (a
chart name, e.g. timeseries) embedded as an inline <svg> in <figure
id="chart-NAME">. Prints the number of figures and inline SVGs; exit 1 with
the reasons when a check fails. Not a test itself (report.sh runs it)."""
import re
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# SVG elements that gnuplot writes self-closed (<path .../>): html.parser reports them as startendtag
problems = []


class Check(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.figures, self.svgs, self.in_fig = [], [], 0, None

    def handle_starttag(self, tag, attrs):
        self.attrs(tag, attrs)
        if tag in VOID:
            return
        self.stack.append((tag, self.getpos()))
        if tag == "figure":
            self.in_fig = dict(attrs).get("id")
        if tag == "svg":
            self.svgs += 1
            if self.in_fig:
                self.figures.append(self.in_fig)

    def handle_startendtag(self, tag, attrs):
        self.attrs(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack:
            problems.append(f"line {self.getpos()[0]}: </{tag}> closes nothing")
            return
        top, pos = self.stack.pop()
        if top != tag:
            problems.append(f"line {self.getpos()[0]}: </{tag}> closes <{top}> of line {pos[0]}")
        if tag == "figure":
            self.in_fig = None

    def attrs(self, tag, attrs):
        if tag == "script":
            problems.append(f"line {self.getpos()[0]}: a <script>")
        if tag == "link":
            problems.append(f"line {self.getpos()[0]}: a <link> (an external resource)")
        for k, v in attrs:
            v = v or ""
            if k in ("src", "href", "xlink:href", "action", "data", "poster", "srcset") and not v.startswith("#"):
                problems.append(f"line {self.getpos()[0]}: <{tag} {k}=\"{v}\"> refers outside the page")
            if k.startswith("on"):
                problems.append(f"line {self.getpos()[0]}: an event handler {k}= (script)")
            if re.search(r"url\(\s*['\"]?(?!#)", v):
                problems.append(f"line {self.getpos()[0]}: url() to a resource in {k}=")


def main():
    page, charts = sys.argv[1], sys.argv[2:]
    text = open(page, encoding="utf-8").read()
    if not text.startswith("<!DOCTYPE html>"):
        problems.append("no <!DOCTYPE html> first")
    p = Check()
    p.feed(text)
    p.close()
    if p.stack:
        problems.append("unclosed: " + ", ".join(f"<{t}> of line {pos[0]}" for t, pos in p.stack))
    for m in re.finditer(r"@import|url\(\s*['\"]?(?!#)", text.split("</style>")[0]):
        problems.append(f"the stylesheet fetches something: {m.group(0)}")
    for c in charts:
        if f"chart-{c}" not in p.figures:
            problems.append(f"chart {c} is not embedded (figures: {', '.join(p.figures) or 'none'})")
    # the page's own ids are unique; a chart's are prefixed c<k>- (gnuplot repeats
    # some inside one multiplot SVG, which is harmless: they are never referenced)
    ids = re.findall(r"\bid=[\"']([^\"']+)", text)
    own = [i for i in ids if not re.match(r"c\d+-", i)]
    dup = sorted({i for i in own if own.count(i) > 1})
    prefixes = {}
    for i in ids:
        m = re.match(r"(c\d+)-", i)
        if m:
            prefixes.setdefault(m.group(1), 0)
    if len(prefixes) != p.svgs - text.count('aria-label="timeline"'):
        problems.append(f"{p.svgs} inline svg but {len(prefixes)} id prefixes: a chart's ids are not its own")
    if dup:
        problems.append(f"duplicate ids: {', '.join(dup[:5])}")
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"{len(p.figures)} charts, {p.svgs} inline svg, {len(ids)} ids, no external reference")


main()
