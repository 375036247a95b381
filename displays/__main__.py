"""`python -m displays …`: the agent in a lean process (what `quartier display` execs)."""

import sys

from displays.agent import main

sys.exit(main())
