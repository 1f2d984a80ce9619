"""`python -m paicha` is the `paicha` command."""

from paicha.cli import main

main()
