import sys

from seep.cli import main

sys.exit(main())
