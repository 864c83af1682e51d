import sys

from descent.cli import main

sys.exit(main())
