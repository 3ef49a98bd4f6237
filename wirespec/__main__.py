"""`python -m wirespec`: the `wirespec` command."""

from wirespec._cli import main

raise SystemExit(main())
