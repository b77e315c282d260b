#!/bin/sh
# The AWS CLI v1 for build shells. Its pins (docutils<=0.19) clash with Sphinx's and it needs
# docutils only for `aws help`, so it is installed beside the project without its pins.
# Usage: scripts/install-aws-cli.sh PYTHON
set -eu
"$1" -m pip install --quiet --no-deps awscli==1.46.3 colorama==0.4.6 rsa==4.7.2 pyasn1
# awscli imports docutils at start; any version the project already has will do.
"$1" -c "import docutils" 2>/dev/null || "$1" -m pip install --quiet "docutils>=0.20,<0.22"
