"""A small Sphinx extension that keeps the book working offline, with a clean browser console.

- Removes sphinx-thebe's scripts: the book has no "run code" button (there is no kernel), and
  sphinx-thebe adds its inline configuration twice under Jupyter Book 1.0.4, which is a
  JavaScript error on every page ("Identifier 'THEBE_JS_URL' has already been declared").
- Configures RequireJS before it loads (a global `require` object is its configuration), so
  that the widget manager finds anywidget at `_static/_widgets/anywidget/index.js` at the first
  try (no 404 and no "CDN" fallback), and loads its icon fonts from the site: webpack derives
  the font URLs from the RequireJS paths of the `@jupyter-widgets/...` modules, which all map
  under `_static/_widgets/jupyter-widgets/` (scripts/build_book.py puts the fonts there).
- Gives the theme a valid default colour mode ("auto"), so it does not log an error.
"""

# Relative to the page: every page of this book sits at the top level of the site.
REQUIRE_CONFIG = ('var require = {paths: {"anywidget": "_static/_widgets/anywidget/index", '
                  '"@jupyter-widgets": "_static/_widgets/jupyter-widgets"}};')


def _page_context(app, pagename, templatename, context, doctree):
    def keep(asset):
        text = str(getattr(asset, "filename", asset) or "") + str(getattr(asset, "attributes", {}).get("body", ""))
        return "thebe" not in text.lower()

    context["default_mode"] = context.get("default_mode") or "auto"
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if keep(asset)]


def setup(app):
    app.connect("html-page-context", _page_context)
    app.add_js_file(None, body=REQUIRE_CONFIG, priority=100)  # before require.js (priority 500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
