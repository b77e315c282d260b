"""CloudFormation on top of moto: reading templates, and the checks CloudFormation makes on a
request that moto leaves out (capabilities, parameter names, stack names).

Stacks, change sets and their resources stay in moto; ``simulator/api.py`` makes a resource
that fails roll its stack back as CloudFormation does (``install_cloudformation``).
"""
