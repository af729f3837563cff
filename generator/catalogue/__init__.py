"""The public credit information catalogue (Art. 10): departments, schemas and editions.

The pipeline calls `load.load_catalogue` (load and validate), `render.render_catalogue` (pages and
downloads) and `search.search_docs` (the index); `diff.diff_editions` is shared with the
consultations and the command line. Nothing is imported here, so that importing `model` stays cheap.
"""
