"""`python -m posestudio_cli …`, as the `posestudio` script."""

from posestudio_cli.main import main

main()
