import sys

from winback_desktop.cli.entry import main

sys.exit(main())
