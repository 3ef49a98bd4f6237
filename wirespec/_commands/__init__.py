"""The `wirespec` command's groups: each module holds its commands and `add_parsers(sub)`.

The parser and the dispatch are in wirespec/_cli.py; these may use every room below.
"""
