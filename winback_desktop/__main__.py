import sys

from winback_desktop.cli import main

sys.exit(main())
