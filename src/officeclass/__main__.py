"""``python -m officeclass``: the same as the ``officeclass`` command."""

from .cli import main

raise SystemExit(main())
