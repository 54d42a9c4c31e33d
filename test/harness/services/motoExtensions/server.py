"""moto_server with the project's extensions: what the local AWS emulator lacks and the project's code calls.

Started by test/harness/services/moto.ts with the virtualenv's python instead of the `moto_server` script;
it takes the same arguments. Each extension module documents the AWS behaviour it follows and its source.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import logs_account_policies  # noqa: E402  (registers the CloudWatch Logs account policy actions)
from moto.server import main  # noqa: E402

logs_account_policies.install()

if __name__ == "__main__":
    sys.argv[0] = "moto_server"
    sys.exit(main())
