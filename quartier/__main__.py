import sys

from quartier.cli import main

sys.exit(main())
